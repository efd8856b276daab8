"""Every text the applicant sees exists in every language, with the same placeholders."""

from locales import LANGUAGES, Translator, catalog, placeholders


def test_every_key_exists_in_every_language_with_the_same_placeholders():
    chinese = catalog("zh_CN")
    for language in LANGUAGES:
        other = catalog(language)
        assert set(other) == set(chinese), f"{language}: keys differ from zh_CN"
        for key, text in chinese.items():
            assert placeholders(other[key]) == placeholders(text), f"{language}:{key}"


def test_texts_fit_a_phone_screen():
    """A single message stays short enough to read on a phone without endless scrolling."""
    for language in LANGUAGES:
        for key, text in catalog(language).items():
            assert len(text) <= 1200, f"{language}:{key} is {len(text)} characters"


def test_unknown_language_falls_back_to_chinese():
    assert Translator("fr")("advisory") == Translator("zh_CN")("advisory")
