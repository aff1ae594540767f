"""The words that label a pasted page's furniture, beyond English, French, German and Spanish.

`text_meta` and `text_classify` recognise a source line, a date line, a "read more" link
and a share button by their label; their patterns were written for the languages of our
first samples. These are the same labels in the other languages teams read (Italian,
Portuguese, Dutch, the Nordic languages, Polish, Czech, Romanian, Hungarian, Greek,
Russian, Ukrainian, Turkish, Arabic, Persian, Indonesian, Vietnamese, Hindi, Chinese,
Japanese, Korean), and the month names a date line spells out. Each is a plain word or
phrase, matched case-insensitively as a whole label at the start of a line; Arabic
labels are listed in their common spellings (with and without hamza and tanwin).
"""

from __future__ import annotations

import re


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SOURCE_LABELS: tuple[str, ...] = (
    "источник", "источники", "джерело", "джерела", "źródło", "źródła", "zdroj", "zdroje",
    "kaynak", "kaynaklar", "المصدر", "مصدر", "المصادر", "منبع", "来源", "來源", "出处",
    "出典", "출처", "källa", "kilde", "kilder", "lähde", "πηγή", "sursa", "sursă", "forrás",
    "sumber", "nguồn", "स्रोत",
)  # fmt: skip

DATE_LABELS: tuple[str, ...] = (
    "pubblicato", "pubblicato il", "aggiornato", "aggiornato il", "ultimo aggiornamento",
    "gepubliceerd", "bijgewerkt", "laatst bijgewerkt", "geplaatst", "atualizado",
    "atualizado em", "publicado em", "опубликовано", "обновлено", "дата публикации",
    "опубліковано", "оновлено", "дата публікації", "opublikowano", "zaktualizowano",
    "aktualizacja", "data publikacji", "yayınlanma", "yayınlanma tarihi", "yayın tarihi",
    "güncelleme", "güncelleme tarihi", "güncellenme", "güncellenme tarihi", "تاريخ النشر",
    "نشر في", "نُشر في", "آخر تحديث", "تاريخ التحديث", "تم النشر", "تم التحديث",
    "تاریخ انتشار", "发布时间", "發布時間", "發佈時間", "发布日期", "更新时间", "更新時間",
    "公開日", "更新日", "配信日", "게시", "입력", "수정", "publicerad", "uppdaterad",
    "publiceret", "opdateret", "publisert", "oppdatert", "julkaistu", "päivitetty",
    "publikováno", "aktualizováno", "publicat", "actualizat", "közzétéve", "frissítve",
    "δημοσιεύθηκε", "ενημερώθηκε", "diterbitkan", "diperbarui", "cập nhật", "ngày đăng",
    "प्रकाशित", "अपडेट",
)  # fmt: skip

READ_MORE_LABELS: tuple[str, ...] = (
    "leggi anche", "potrebbe interessarti", "articoli correlati", "lees ook", "lees meer",
    "lees verder", "gerelateerde artikelen", "leia mais", "saiba mais", "notícias relacionadas",
    "читайте также", "читать также", "смотрите также", "по теме", "читайте також",
    "дивіться також", "czytaj także", "czytaj też", "zobacz też", "zobacz także",
    "přečtěte si také", "čtěte také", "ayrıca okuyun", "ilgili haberler", "ilginizi çekebilir",
    "bunlar da ilginizi çekebilir", "اقرأ أيضا", "اقرأ أيضاً", "إقرأ أيضا", "إقرأ أيضاً",
    "اقرأ ايضا", "إقرأ ايضا", "اقرأ المزيد", "إقرأ المزيد", "شاهد أيضا", "شاهد أيضاً",
    "أخبار ذات صلة", "اخبار ذات صلة", "مواضيع ذات صلة", "مقالات ذات صلة", "بیشتر بخوانید",
    "بخوانید", "相关阅读", "延伸阅读", "推荐阅读", "相关新闻", "阅读更多", "相關閱讀", "延伸閱讀",
    "関連記事", "あわせて読みたい", "続きを読む", "관련기사", "관련 기사", "läs också",
    "läs mer", "læs også", "les også", "lue myös", "lue seuraavaksi", "dowiedz się więcej",
    "czytaj więcej", "zobacz więcej", "vea también", "vea además", "lea más", "citește și",
    "citeste si",
    "διαβάστε επίσης", "baca juga", "xem thêm", "यह भी पढ़ें",
)  # fmt: skip

# ("door", Dutch "by", is an English word, and "oleh", Indonesian "by", a first name.)
BYLINE_LABELS: tuple[str, ...] = (
    "autor", "autorka", "autore", "autrice", "muhabir", "yazan", "yazar", "автор", "текст",
    "συντάκτης", "penulis", "skrevet af", "skrevet av", "skriven av",
)  # fmt: skip

TAG_LABELS: tuple[str, ...] = (
    "tag", "tags", "tagi", "теги", "теги статті", "теги статьи", "метки", "мітки",
    "etiketler", "etichette", "trefwoorden", "palavras-chave", "štítky", "címkék",
    "الوسوم", "وسوم", "كلمات مفتاحية", "برچسب ها", "برچسب‌ها", "标签", "標籤", "タグ", "태그",
)  # fmt: skip

SHARE_LABELS: tuple[str, ...] = (
    "поделиться", "поділитися", "udostępnij", "sdílet", "paylaş", "شارك", "مشاركة",
    "شارك الخبر", "اشتراک گذاری", "delen", "deel", "compartilhar", "compartilhe", "partilhar",
    "partilhe", "dela", "del", "del artikel", "jaa", "distribuie", "megosztás",
    "κοινοποίηση", "bagikan", "chia sẻ", "分享", "シェア", "공유", "शेयर करें",
)  # fmt: skip

MONTHS = {
    1: "gennaio janeiro januari janvier styczeń stycznia января январь січня січень ocak "
       "ledna leden januar tammikuuta ianuarie január ιανουαρίου يناير كانون_الثاني",
    2: "febbraio fevereiro februari lutego luty февраля февраль лютого лютий şubat února "
       "únor februar helmikuuta februarie február φεβρουαρίου فبراير شباط",
    3: "marzo março maart marca marzec марта март березня березень mart března březen "
       "marts mars maaliskuuta martie március μαρτίου مارس آذار",
    4: "aprile abril april kwietnia kwiecień апреля апрель квітня квітень nisan dubna duben "
       "huhtikuuta aprilie április απριλίου أبريل ابريل نيسان",
    5: "maggio maio mei maja maj мая май травня травень mayıs května květen maj toukokuuta "
       "mai május μαΐου مايو أيار",
    6: "giugno junho juni czerwca czerwiec июня июнь червня червень haziran června červen "
       "kesäkuuta iunie június ιουνίου يونيو حزيران",
    7: "luglio julho juli lipca lipiec июля июль липня липень temmuz července červenec "
       "heinäkuuta iulie július ιουλίου يوليو تموز",
    8: "agosto augustus sierpnia sierpień августа август серпня серпень ağustos srpna srpen "
       "elokuuta august augusztus αυγούστου أغسطس اغسطس آب",
    9: "settembre setembro september września wrzesień сентября сентябрь вересня вересень "
       "eylül září syyskuuta septembrie szeptember σεπτεμβρίου سبتمبر أيلول",
    10: "ottobre outubro oktober października październik октября октябрь жовтня жовтень "
        "ekim října říjen lokakuuta octombrie október οκτωβρίου أكتوبر اكتوبر تشرين_الأول",
    11: "novembre novembro november listopada listopad ноября ноябрь листопада листопад "
        "kasım listopadu marraskuuta noiembrie november νοεμβρίου نوفمبر تشرين_الثاني",
    12: "dicembre dezembro december grudnia grudzień декабря декабрь грудня грудень aralık "
        "prosince prosinec joulukuuta decembrie december δεκεμβρίου ديسمبر كانون_الأول",
}  # fmt: skip

# The other words of a time stamp: weekdays, "at", "hour", a.m./p.m.
STAMP_WORDS: tuple[str, ...] = _words(
    "lunedì martedì mercoledì giovedì venerdì sabato domenica segunda-feira terça-feira "
    "quarta-feira quinta-feira sexta-feira sábado domingo maandag dinsdag woensdag donderdag "
    "vrijdag zaterdag zondag понедельник вторник среда четверг пятница суббота воскресенье "
    "понеділок вівторок середа четвер п'ятниця субота неділя poniedziałek wtorek środa "
    "czwartek piątek sobota niedziela pazartesi salı çarşamba perşembe cuma cumartesi pazar "
    "الاثنين الإثنين الثلاثاء الأربعاء الاربعاء الخميس الجمعة السبت الأحد الاحد الساعة "
    "صباحا صباحاً مساء مساءً ص م بتوقيت غرينتش alle ore às om в о o saat"
)


def month_numbers() -> dict[str, int]:
    """Each month name above (lower case; "_" stands for a space) -> its number."""
    return {
        name.replace("_", " "): number for number, names in MONTHS.items() for name in names.split()
    }


def alternation(labels: tuple[str, ...]) -> str:
    """A regex alternative of the labels, longest first, each space any run of spaces."""
    ordered = sorted(set(labels), key=len, reverse=True)
    return "|".join(re.escape(label).replace(r"\ ", r"\s+") for label in ordered)
