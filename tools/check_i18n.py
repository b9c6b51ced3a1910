#!/usr/bin/env python3
"""Translation checks for crm_workflow_automation (``make i18n-check``).

* the committed ``i18n/crm_workflow_automation.pot`` holds exactly the terms
  Odoo exports from an installed database (code, views, data, menus);
* ``de.po``, ``fr.po`` and ``ja.po`` translate every term of the .pot, with no
  fuzzy entry (Odoo would load it as if it were right) and the same
  placeholders as the source;
* ``msgfmt --check`` accepts each file.

With ``--export`` it rewrites the .pot from the database instead and merges it
into the .po files (new terms arrive untranslated: translate them).
"""

import argparse
import io
import os
import re
import subprocess
import sys

import polib

ADDON = "crm_workflow_automation"
LANGS = ("de", "fr", "ja")
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
I18N = os.path.join(HERE, ADDON, "i18n")
POT = os.path.join(I18N, f"{ADDON}.pot")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%[sdf]|\{\{.*?\}\}")


def export_pot(database, addons_path):
    import odoo
    from odoo.tools.translate import trans_export

    odoo.tools.config.parse_config(
        ["-d", database, "--addons-path", addons_path, "--log-level", "warn"]
    )
    registry = odoo.modules.registry.Registry(database)
    buffer = io.BytesIO()
    with registry.cursor() as cr:
        trans_export(False, [ADDON], buffer, "po", cr)
    return buffer.getvalue().decode()


def key(entry):
    return (entry.msgctxt or "", entry.msgid)


def check(pot_text):
    errors = []
    fresh = polib.pofile(pot_text)
    committed = polib.pofile(POT) if os.path.exists(POT) else polib.POFile()
    fresh_keys = {key(e) for e in fresh}
    committed_keys = {key(e) for e in committed}
    for k in sorted(fresh_keys - committed_keys):
        errors.append(f"{ADDON}.pot lacks {k[1]!r}: run 'make i18n-export'")
    for k in sorted(committed_keys - fresh_keys):
        errors.append(f"{ADDON}.pot has a stale term {k[1]!r}: run 'make i18n-export'")
    for lang in LANGS:
        path = os.path.join(I18N, f"{lang}.po")
        if not os.path.exists(path):
            errors.append(f"{lang}.po is missing")
            continue
        po = polib.pofile(path)
        by_key = {key(e): e for e in po if not e.obsolete}
        for k in sorted(fresh_keys):
            entry = by_key.get(k)
            if entry is None or not entry.msgstr.strip():
                errors.append(f"{lang}.po: untranslated {k[1]!r}")
            elif "fuzzy" in entry.flags:
                errors.append(f"{lang}.po: fuzzy {k[1]!r}")
            elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(
                PLACEHOLDER.findall(entry.msgstr)
            ):
                errors.append(f"{lang}.po: placeholders differ in {k[1]!r}")
        result = subprocess.run(
            ["msgfmt", "--check", "-o", os.devnull, path],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            errors.append(f"{lang}.po: msgfmt --check failed:\n{result.stderr}")
    return errors, len(fresh_keys)


def export(pot_text):
    # Drop the creation date so that an unchanged export leaves no diff.
    pot_text = re.sub(r'"POT-Creation-Date: .*?\\n"\n', "", pot_text)
    pot_text = re.sub(r'"PO-Revision-Date: .*?\\n"\n', "", pot_text)
    with open(POT, "w", encoding="utf-8") as f:
        f.write(pot_text)
    for lang in LANGS:
        path = os.path.join(I18N, f"{lang}.po")
        if not os.path.exists(path):
            po = polib.pofile(pot_text)
            po.metadata["Language"] = lang
            for entry in po:
                entry.msgstr = ""
            po.save(path)
        subprocess.run(
            [
                "msgmerge",
                "--quiet",
                "--update",
                "--backup=none",
                "--no-fuzzy-matching",
                "--no-wrap",
                path,
                POT,
            ],
            check=True,
        )
        po = polib.pofile(path)
        po[:] = [e for e in po if not e.obsolete]
        po.save(path)
    print(f"exported {POT} and merged it into {', '.join(LANGS)}.po")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--export", action="store_true")
    args = parser.parse_args()
    pot_text = export_pot(args.database, args.addons_path)
    if args.export:
        export(pot_text)
        return 0
    errors, count = check(pot_text)
    for error in errors:
        print(f"i18n: {error}", file=sys.stderr)
    if errors:
        print(f"i18n: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    print(f"i18n: {count} terms, translated in {', '.join(LANGS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
