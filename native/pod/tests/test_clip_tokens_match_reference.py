"""The studio's TypeScript CLIP tokenizer gives the ids of the real reference tokenizer.

The reference is OpenAI's own ``simple_tokenizer.py`` (from the ``openai-clip`` package,
loaded by file so that its package's torchvision import is not needed) with ``ftfy``, which
it cleans text with: the tokenizer FLUX's CLIP text encoder (openai/clip-vit-large-patch14)
was trained with. transformers 5 has no slow Python CLIPTokenizer any more; its fast one
(no ftfy, no HTML unescaping) is checked too, on text already cleaned the OpenAI way, to
show that the vocab.json/merges.txt folder built here is what transformers reads.

The TypeScript side runs as a user runs it: the built CLI,
``node bin/flux-studio.cjs tokens --jsonl --tokenizer DIR`` (one JSON string per line on
stdin, one result per line on stdout). Build first: ``npx electron-vite build``.

A T5 check does the same for the T5 budget: a small SentencePiece-style Unigram
tokenizer.json trained here with ``tokenizers``, put where the studio looks for it
(``<data dir>/cache/tokenizers/t5/tokenizer.json``).
"""

from __future__ import annotations

import html.entities
import importlib.util
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ftfy = pytest.importorskip("ftfy", reason="the pod venv (scripts/pod-venv.sh) has ftfy; system Python may not")

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "native" / "fixtures"))
from clip_bpe import clip_vocab_merges  # noqa: E402  (the fixtures' one builder of OpenAI's tables)
from t5_tokenizer import T5_SENTENCES, train_t5_sentencepiece, train_t5_unigram  # noqa: E402  (the fixtures' T5 builders)

CLI_BUNDLE = REPO / "out" / "main" / "cli.js"
BIN = REPO / "bin" / "flux-studio.cjs"
CLIP_DATA = REPO.parent / "shared" / "data" / "clip"
BPE_GZ = "bpe_simple_vocab_16e6.txt.gz"
LIMIT = 75


# --------------------------------------------------------------------------------------
# The reference and the data


def load_openai_simple_tokenizer():
    spec = importlib.util.find_spec("clip")
    assert spec is not None and spec.submodule_search_locations, "openai-clip is not installed (native/pod/requirements-dev.txt)"
    path = Path(list(spec.submodule_search_locations)[0]) / "simple_tokenizer.py"
    mod_spec = importlib.util.spec_from_file_location("openai_clip_simple_tokenizer", path)
    module = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference():
    gz = CLIP_DATA / BPE_GZ
    assert gz.is_file(), f"{gz} is missing: the CLIP merges live in ../shared/data/clip beside the checkout"
    return load_openai_simple_tokenizer().SimpleTokenizer(bpe_path=str(gz))


def write_hf_folder(out: Path) -> Path:
    """vocab.json + merges.txt, the tables the fixture builders give the tiny models (clip_bpe.py)."""
    vocab, merges = clip_vocab_merges()
    out.mkdir(parents=True, exist_ok=True)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (out / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def hf_dir(tmp_path_factory) -> Path:
    return write_hf_folder(tmp_path_factory.mktemp("clip-hf"))


def run_cli(args: list[str], prompts: list[str]) -> list[dict]:
    """The built CLI in --jsonl mode: one result per prompt, in order."""
    if not CLI_BUNDLE.is_file():
        pytest.fail(f"{CLI_BUNDLE} is missing: build the studio first (`npx electron-vite build`, which `npm test` runs)")
    node = shutil.which("node")
    assert node, "node is not on PATH"
    stdin = "".join(json.dumps(p) + "\n" for p in prompts)
    r = subprocess.run(
        [node, str(BIN), "tokens", "--jsonl", *args],
        input=stdin.encode("utf-8"),
        capture_output=True,
        timeout=300,
        cwd=REPO,
    )
    assert r.returncode == 0, f"flux-studio tokens exited {r.returncode}: {r.stderr.decode('utf-8', 'replace')}"
    out = [json.loads(line) for line in r.stdout.decode("utf-8").split("\n") if line.strip()]  # not splitlines: U+2028 is not a line break in JSON
    assert len(out) == len(prompts), f"{len(prompts)} prompts in, {len(out)} results out"
    return out


def assert_same_ids(reference, prompts: list[str], results: list[dict], what: str) -> None:
    mismatches = []
    for prompt, got in zip(prompts, results):
        want = reference.encode(prompt)
        if got["ids"] != want or got["count"] != len(want):
            mismatches.append(f"{prompt!r}\n    reference {want}\n    studio    {got['ids']}")
    assert not mismatches, f"{len(mismatches)} of {len(prompts)} {what} differ from OpenAI's tokenizer:\n" + "\n".join(mismatches[:15])


# --------------------------------------------------------------------------------------
# The corpus

LONG = " ".join(
    (
        "a breathtaking wide-angle photograph of an ancient stone lighthouse perched on jagged "
        "basalt cliffs at golden hour, waves crashing below in plumes of white spray, seabirds "
        "wheeling through shafts of warm light, dramatic cumulonimbus clouds, 35mm film grain, "
        "Kodak Portra 400, shallow depth of field, hyper-detailed textures, volumetric fog, "
        "cinematic color grading, award-winning National Geographic composition"
    ).split()
    * 9
)[:3000]

CORPUS = [
    "a photo of a cat",
    "A Photo Of A CAT",
    "portrait of an old fisherman, weathered skin, dramatic rim lighting, 85mm, f/1.8",
    "masterpiece,best quality,1girl,solo,long hair,looking at viewer,smile",
    "cyberpunk city at night, neon signs, rain-soaked streets, reflections, blade runner style",
    "an astronaut riding a horse on mars, photorealistic, 8k uhd, highly detailed",
    "watercolor painting of a fox in a snowy forest",
    "isometric 3d render of a cozy bedroom, low poly, pastel colors",
    "(masterpiece:1.2), [[detailed]], {sharp focus}, <lora:style:0.8>",
    "Hello, world!!! What's up??? ... --- *** ### @@@",
    "1234567890 3.14159 2024-05-01 10:30pm $19.99 50% 1/2 #1",
    "it's they're we've I'm you'll he'd can't won't isn't",
    "IT'S THEY'RE WE'VE I'M YOU'LL HE'D",
    "tom & jerry &amp; friends &lt;b&gt;bold&lt;/b&gt; it&#39;s &quot;quoted&quot;",
    "&amp;amp; &amp;lt; &#x27; &#8217; &hellip; &mdash; &copy; &reg; &trade; &nbsp;x",
    "fish &amp chips &ampx &not; &notin; &notit &copy2024 &AMP; &EACUTE; &NTILDE;",
    "&#0; &#1; &#11; &#128; &#x85; &#x9f; &#55296; &#1114112; &#65279;bom &#xfffe;",
    "<b>bold</b> &amp; not unescaped by ftfy here",
    "first line &amp; unescaped\nsecond <line> &amp;amp; not by ftfy",
    "“curly double” ‘curly single’ it’s ‛reversed‟ ʼmodifier",
    "ﬁne ﬂowers ﬀ ﬃ ﬄ ﬅ ﬆ Ĳssel ǆ",
    "ＦＵＬＬ　ＷＩＤＴＨ ｔｅｘｔ ０１２３ ！？ ｶﾀｶﾅ",
    "café naïve résumé über Ångström façade jalapeño São Paulo",
    "cafe\u0301 nai\u0308ve (decomposed accents)",
    "ΟΔΥΣΣΕΥΣ σοφός ΚΑΛΗΜΕΡΑ Москва Привет мир",
    "日本の桜 美しい風景 東京タワー",
    "中文提示词：一只可爱的猫",
    "한국어 프롬프트 고양이 사진",
    "emoji 🐱🐶🦊 👩‍🚀 👍🏽 🇯🇵 ❤️ ✨🔥",
    "🐱",
    "   leading and trailing spaces   ",
    "tabs\tand\nnewlines\r\nand\rreturns\u2028line\u2029para",
    "multiple     spaces\u00a0nbsp\u3000ideographic\u2003em\u200bzero-width",
    "control\x00chars\x07here\x1b[31mred\x1b[0m and \x7fdel",
    "c1 \x80 \x85 \x91quoted\x92 \x96 dash",
    "bom\ufeffinside and \ufeff at start",
    "<|startoftext|> special <|endoftext|> tokens <|STARTOFTEXT|>",
    "<|startoftext|><|endoftext|>",
    "",
    "   ",
    "a",
    "!",
    "'s",
    "x's y'S z'sss don'T",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis",
    "https://example.com/path?query=1&amp;b=2#frag user@example.com",
    "snake_case_words kebab-case-words CamelCaseWords dot.separated.words",
    "math: x² + y³ = z½ ∑∫√∞ ≤≥≠ α β γ",
    "currency € £ ¥ ₹ ₿ ¢",
    "Ελληνικά, עברית, العربية, हिन्दी, ไทย",
    "ﬁ&amp;ﬂ “&amp;” ＆ａｍｐ；",
    "&amp;#8220;double escaped quote&amp;#8221;",
    "text with lone surrogate \ud800 here",
    "line one\n\n\nline two\n",
    "İstanbul ǅemal ßtraße ﬀ",
    "ＡＢＣ’ｓ ｂｏｏｋ",
    "1girl, 2boys, 3d, 4k, 1080p, 16:9",
    "ο Σ σ ς ΟΣ. ΑΣ1 ΑΣ Σ",
    LONG,
    ",".join(["masterpiece", "best quality", "1girl", "solo", "long hair", "looking at viewer", "smile"] * 8),
    "photo-realistic " * 40,
    "🐱" * 60,
    "x" * 400,
    "日本の桜、美しい風景。" * 12,
]


def random_prompts(n: int, seed: int = 1234) -> list[str]:
    """Random strings from pieces a prompt may hold, including the awkward ones.

    Out of scope, and so not generated: characters assigned after Unicode 13 (Python 3.11's
    unicodedata is Unicode 14, Node's ICU newer, so lower-casing and NFC of brand-new
    characters may differ). Strings that ftfy's mojibake repair (fix_encoding) rewrites are
    dropped below (see test_random_strings_match_reference).
    """
    rng = random.Random(seed)
    words = "cat dog Photo of a the IN on at Light shadow 35mm neon glow 8K art ArtStation hyper-detailed".split()
    pieces = [
        lambda: rng.choice(words),
        lambda: rng.choice([" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2003", "\u2028", "\x85", "\x0b", "\x0c", "\x1c"]),
        lambda: rng.choice(["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "’s", "'", "''", "'x"]),
        lambda: rng.choice(".,;:!?-_()[]{}<>/\\|@#$%^*+=~`\"") * rng.randint(1, 4),
        lambda: str(rng.randint(0, 10**rng.randint(1, 6))),
        lambda: rng.choice(["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&apos;", "&nbsp;", "&hellip;", "&eacute;", "&EACUTE;",
                            "&Eacute;", "&amp", "&lt", "&copy", "&notin;", "&noti", "&#8217;", "&#x2019;", "&#128;", "&#0;",
                            "&#x1F600;", "&#55296;", "&bogus;", "&;", "&#;", "&amp;amp;", "&amp;lt;", "&#38;#39;", "&"]),
        lambda: rng.choice(["“", "”", "‘", "’", "‚", "„", "‛", "‟", "ʼ", "«", "»"]),
        lambda: rng.choice(["ﬁ", "ﬂ", "ﬀ", "ﬃ", "ﬄ", "ﬆ", "Ĳ", "ǅ", "ǉ"]),
        lambda: "".join(chr(rng.randint(0xFF01, 0xFF5E)) for _ in range(rng.randint(1, 4))),
        lambda: "".join(chr(rng.randint(0xFF61, 0xFF9F)) for _ in range(rng.randint(1, 3))),
        lambda: rng.choice(["é", "è", "ü", "ñ", "ç", "ø", "å", "ß", "œ", "e\u0301", "a\u0308", "ÉCOLE", "Über", "İ", "ǅ"]),
        lambda: rng.choice(["Σ", "ΣΑΣ", "σοφός", "ΟΔΟΣ", "Москва", "ПРИВЕТ", "עברית", "العربية", "हिन्दी", "ไทย"]),
        lambda: "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(1, 5))),
        lambda: "".join(chr(rng.randint(0x3041, 0x3096)) for _ in range(rng.randint(1, 5))),
        lambda: "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(rng.randint(1, 3))),
        lambda: rng.choice(["🐱", "🔥", "👩‍🚀", "👍🏽", "🇯🇵", "❤️", "✨", "🏳️‍🌈", "1️⃣", "😀"]),
        lambda: rng.choice(["\x00", "\x07", "\x1b[31m", "\x1b[0m", "\x7f", "\ufeff", "\u200b", "\u200d", "\u206a", "\ufffc", "\ufffd"]),
        lambda: rng.choice(["\x80", "\x91", "\x92", "\x93", "\x94", "\x96", "\x97", "\x99"]),
        lambda: rng.choice(["<|startoftext|>", "<|endoftext|>", "<|ENDOFTEXT|>", "<|start", "|>"]),
        lambda: chr(rng.randint(0xD800, 0xDFFF)),
        lambda: "".join(rng.choice("abcxyzXYZ") for _ in range(rng.randint(20, 60))),
    ]
    out = []
    for _ in range(n):
        k = rng.randint(1, 25)
        out.append("".join(rng.choice(pieces)() for _ in range(k)))
    return out


def as_js(s: str) -> str:
    """The string as JavaScript holds it: adjacent surrogates that form a pair are one character there."""
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def ftfy_mojibake_changes(s: str) -> bool:
    return ftfy.fix_text(s) != ftfy.fix_text(s, fix_encoding=False)


# --------------------------------------------------------------------------------------
# The tests


def test_corpus_matches_reference_from_openai_file(reference):
    results = run_cli(["--tokenizer", str(CLIP_DATA)], CORPUS)
    assert_same_ids(reference, CORPUS, results, "corpus prompts (bpe_simple_vocab_16e6.txt.gz)")
    assert results[0]["ids"] == [320, 1125, 539, 320, 2368]


def test_corpus_matches_reference_from_hf_folder(reference, hf_dir):
    results = run_cli(["--tokenizer", str(hf_dir)], CORPUS)
    assert_same_ids(reference, CORPUS, results, "corpus prompts (vocab.json + merges.txt)")


def test_trim_fits_and_is_a_prefix(reference):
    results = run_cli(["--tokenizer", str(CLIP_DATA)], CORPUS)
    long_ones = 0
    for prompt, r in zip(CORPUS, results):
        assert r["limit"] == LIMIT
        assert r["fits"] == (r["count"] <= LIMIT)
        if r["fits"]:
            assert r["trimmed"] == prompt
            assert r["cutAt"] is None
            continue
        long_ones += 1
        assert prompt.startswith(r["trimmed"])
        assert 0 < len(reference.encode(r["trimmed"])) <= LIMIT, r["trimmed"]
        assert prompt[: r["cutAt"]].rstrip() == r["trimmed"].rstrip()
        # Close to the limit: nothing reasonable was thrown away.
        assert len(reference.encode(r["trimmed"])) >= LIMIT - 8
    assert long_ones >= 5


def test_random_strings_match_reference(reference):
    prompts = random_prompts(240)
    # Out of scope: strings that ftfy's mojibake repair rewrites (text that looks like
    # UTF-8 read as Latin-1/Windows-1252, e.g. "Ã©" → "é"). The studio does not guess at
    # mojibake; a real prompt almost never is.
    kept = [p for p in prompts if not ftfy_mojibake_changes(p)]
    assert len(kept) >= 200, f"only {len(kept)} of {len(prompts)} random strings are free of mojibake repair"
    results = run_cli(["--tokenizer", str(CLIP_DATA)], kept)
    assert_same_ids(reference, kept, results, "random strings")
    for prompt, r in zip(kept, results):
        assert as_js(prompt).startswith(r["trimmed"])
        assert len(reference.encode(r["trimmed"])) <= LIMIT


def test_every_html_entity_matches_reference(reference):
    """All of HTML5's named references, as written and (for lower-case names) in capitals: ftfy and html.unescape decode them differently."""
    prompts = []
    for name in html.entities.html5:
        prompts.append(f"x&{name}y")
        if name.endswith(";") and name == name.lower():
            prompts.append(f"x&{name.upper()}y")
    results = run_cli(["--tokenizer", str(CLIP_DATA)], prompts)
    assert_same_ids(reference, prompts, results, "HTML entity strings")


def test_transformers_reads_the_hf_folder_alike(reference, hf_dir):
    """transformers' CLIPTokenizer (fast; it has no ftfy or HTML unescaping) on the folder built here, fed OpenAI-cleaned text."""
    from transformers import CLIPTokenizer

    st = load_openai_simple_tokenizer()
    tok = CLIPTokenizer.from_pretrained(str(hf_dir))
    for prompt in CORPUS:
        cleaned = st.whitespace_clean(st.basic_clean(prompt)).lower()
        if "<|" in cleaned:
            continue  # transformers matches special tokens case-sensitively before normalising
        got = tok(cleaned, add_special_tokens=False)["input_ids"]
        assert got == reference.encode(prompt), prompt


# --------------------------------------------------------------------------------------
# T5

def build_t5_like_tokenizer(path: Path) -> None:
    """A Unigram tokenizer shaped like T5's: NFKC, Metaspace ▁, `$A </s>`; pad 0, </s> 1, unk 2."""
    path.parent.mkdir(parents=True, exist_ok=True)
    train_t5_unigram(T5_SENTENCES * 4, 150).save(str(path))


def build_t5_from_sentencepiece(path: Path, work: Path) -> None:
    """The way FLUX's tokenizer_2/tokenizer.json was made: SentencePiece, then T5Converter, so
    its normalizer is a Precompiled charsmap, as in google/t5-v1_1-xxl (model: work/t5tiny.model)."""
    converted = train_t5_sentencepiece(T5_SENTENCES * 4, work / "t5tiny", 120)
    path.parent.mkdir(parents=True, exist_ok=True)
    converted.save(str(path))


T5_PROMPTS = T5_SENTENCES[:8] + [
    "a lighthouse   with  extra   spaces",
    "ＦＵＬＬ ｗｉｄｔｈ lighthouse ﬁne ½ ①",
    "words the trainer never saw: zeppelin quixotic",
    "punctuation, numbers 12345 and émoji 🐱 cafe\u0301",
    "tabs\tand\nnewlines",
    "",
    LONG[:600],
]


def test_t5_count_matches_sentencepiece_converted_tokenizer(tmp_path):
    import sentencepiece as spm
    from tokenizers import Tokenizer

    data_dir = tmp_path / "data"
    t5_file = data_dir / "cache" / "tokenizers" / "t5" / "tokenizer.json"
    build_t5_from_sentencepiece(t5_file, tmp_path)
    assert json.loads(t5_file.read_text())["normalizer"]["normalizers"][0]["type"] == "Precompiled"
    sp = spm.SentencePieceProcessor(model_file=str(tmp_path / "t5tiny.model"))
    tok = Tokenizer.from_file(str(t5_file))
    results = run_cli(["--tokenizer", str(CLIP_DATA), "--data-dir", str(data_dir)], T5_PROMPTS)
    for prompt, r in zip(T5_PROMPTS, results):
        want = len(tok.encode(prompt).ids)
        assert want == len(sp.encode(prompt)) + 1, prompt
        assert r["t5"] == {"count": want, "limit": 512, "estimate": False}, prompt


def test_t5_count_matches_tokenizers(tmp_path):
    from tokenizers import Tokenizer

    data_dir = tmp_path / "data"
    t5_file = data_dir / "cache" / "tokenizers" / "t5" / "tokenizer.json"
    build_t5_like_tokenizer(t5_file)
    tok = Tokenizer.from_file(str(t5_file))
    prompts = T5_PROMPTS
    dev = run_cli(["--tokenizer", str(CLIP_DATA), "--data-dir", str(data_dir)], prompts)
    schnell = run_cli(["--tokenizer", str(CLIP_DATA), "--data-dir", str(data_dir), "--model", "flux-schnell"], prompts[:2])
    for prompt, r in zip(prompts, dev):
        want = len(tok.encode(prompt).ids)  # with the post-processor's </s>
        assert want == len(tok.encode(prompt, add_special_tokens=False).ids) + 1
        assert r["t5"] == {"count": want, "limit": 512, "estimate": False}, prompt
    assert all(r["t5"]["limit"] == 256 for r in schnell)

    # Without a tokenizer.json: an estimate, labelled as one.
    est = run_cli(["--tokenizer", str(CLIP_DATA), "--data-dir", str(tmp_path / "empty")], prompts[:1])
    assert est[0]["t5"]["estimate"] is True
