"""Extract the markdown-table XLSForms from pyxform's test suite and record pyxform's verdict on each.

usage: python extract.py TESTS_DIR OUT_DIR
Writes OUT_DIR/NNNN.xlsx for every distinct markdown table found in the test modules under TESTS_DIR,
and OUT_DIR/manifest.jsonl with one record per form: id, source (file:line), verdict (converts|rejects),
pyxform's first error line, and the table text. Run with the pinned pyxform (`cargo xtask conformance`).
"""
import ast
import hashlib
import json
import os
import re
import sys
import warnings as py_warnings

from pyxform.xls2json_backends import md_table_to_workbook
from pyxform.xls2xform import convert

SURVEY_SHEET = re.compile(r"^\s*\|\s*survey\s*\|", re.I | re.M)
# `str.format` templates (`{name}` not preceded by `$`) are only valid after formatting in the test code.
TEMPLATE = re.compile(r"(?<![$\\{])\{[A-Za-z_0-9]*\}")


def tables(tests_dir):
    for root, _, files in sorted(os.walk(tests_dir)):
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            try:
                tree = ast.parse(open(path, encoding="utf-8").read())
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    text = node.value
                    if SURVEY_SHEET.search(text) and not TEMPLATE.search(text):
                        yield os.path.relpath(path, tests_dir) + ":" + str(node.lineno), text


def main():
    tests_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    seen = set()
    records = []
    for source, md in tables(tests_dir):
        key = hashlib.sha256(md.strip().encode()).hexdigest()
        if key in seen:
            continue
        seen.add(key)
        form_id = "%04d" % len(records)
        xlsx = os.path.join(out_dir, form_id + ".xlsx")
        try:
            md_table_to_workbook(md).save(xlsx)
        except Exception as error:  # a table openpyxl cannot hold: not a usable test form
            print(f"skip {source}: {error}", file=sys.stderr)
            continue
        verdict, error_line = "converts", ""
        try:
            with py_warnings.catch_warnings():
                py_warnings.simplefilter("ignore")
                convert(xlsform=xlsx, validate=False, warnings=[])
        except Exception as error:
            verdict = "rejects"
            error_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
        records.append({"id": form_id, "source": source, "xlsx": xlsx, "verdict": verdict, "error": error_line, "md": md})
    with open(os.path.join(out_dir, "manifest.jsonl"), "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(records)} forms", file=sys.stderr)


if __name__ == "__main__":
    main()
