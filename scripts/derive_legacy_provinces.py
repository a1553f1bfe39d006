"""Derive services/documents/seed_data/provinces_legacy_2025.csv — which of the 63
provinces before 1 July 2025 became which of the 34 after — from the data of the PyPI
package vietnamadminunits 1.0.4 (MIT): its legacy units table, its 2025 units table
and its converter (data/converter_2025.json).

    python scripts/derive_legacy_provinces.py LEGACY_CSV CONVERTER_JSON > out.csv

Run by hand when the source data changes; nothing reads the source at run time.
"""
import csv
import json
import sys
import unicodedata

HERE_2025 = "services/documents/seed_data/communes_2025.csv"


def slug(name: str) -> str:
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if unicodedata.category(c) != "Mn")
    return "".join(c for c in folded.lower() if c.isalnum())


def provinces(path: str) -> dict[str, tuple[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return {slug(row["province"]): (row["provinceCode"], row["province"])
                for row in csv.DictReader(handle)}


def main(legacy_csv: str, converter_json: str) -> None:
    legacy, new = provinces(legacy_csv), provinces(HERE_2025)
    with open(converter_json, encoding="utf-8") as handle:
        mapping = json.load(handle)["DICT_PROVINCE"]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["legacy_code", "legacy_name", "new_code", "new_name"])
    rows = [(*legacy[old], *new[key]) for key, olds in mapping.items() for old in olds]
    for row in sorted(rows):
        out.writerow(row)


if __name__ == "__main__":
    main(*sys.argv[1:3])
