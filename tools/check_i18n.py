#!/usr/bin/env python3
"""Translation checks for the add-ons of this repository (``make i18n-check``).

For each add-on given (default: crm_workflow_automation):

* the committed ``i18n/<addon>.pot`` holds exactly the terms
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

DEFAULT_ADDONS = ("crm_workflow_automation",)
LANGS = ("de", "fr", "ja")
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%[sdf]|\{\{.*?\}\}")


def paths(addon):
    i18n = os.path.join(HERE, addon, "i18n")
    return i18n, os.path.join(i18n, f"{addon}.pot")


def export_pots(database, addons_path, addons):
    """{addon: the .pot Odoo exports for it from the database}."""
    import odoo
    from odoo.tools.translate import trans_export

    odoo.tools.config.parse_config(
        ["-d", database, "--addons-path", addons_path, "--log-level", "warn"]
    )
    registry = odoo.modules.registry.Registry(database)
    pots = {}
    with registry.cursor() as cr:
        for addon in addons:
            buffer = io.BytesIO()
            trans_export(False, [addon], buffer, "po", cr)
            pots[addon] = buffer.getvalue().decode()
    return pots


def key(entry):
    return (entry.msgctxt or "", entry.msgid)


def check(addon, pot_text):
    i18n, pot = paths(addon)
    errors = []
    fresh = polib.pofile(pot_text)
    committed = polib.pofile(pot) if os.path.exists(pot) else polib.POFile()
    fresh_keys = {key(e) for e in fresh}
    committed_keys = {key(e) for e in committed}
    for k in sorted(fresh_keys - committed_keys):
        errors.append(f"{addon}.pot lacks {k[1]!r}: run 'make i18n-export'")
    for k in sorted(committed_keys - fresh_keys):
        errors.append(f"{addon}.pot has a stale term {k[1]!r}: run 'make i18n-export'")
    for lang in LANGS:
        path = os.path.join(i18n, f"{lang}.po")
        if not os.path.exists(path):
            errors.append(f"{addon}/{lang}.po is missing")
            continue
        po = polib.pofile(path)
        by_key = {key(e): e for e in po if not e.obsolete}
        for k in sorted(fresh_keys):
            entry = by_key.get(k)
            if entry is None or not entry.msgstr.strip():
                errors.append(f"{addon}/{lang}.po: untranslated {k[1]!r}")
            elif "fuzzy" in entry.flags:
                errors.append(f"{addon}/{lang}.po: fuzzy {k[1]!r}")
            elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(
                PLACEHOLDER.findall(entry.msgstr)
            ):
                errors.append(f"{addon}/{lang}.po: placeholders differ in {k[1]!r}")
        result = subprocess.run(
            ["msgfmt", "--check", "-o", os.devnull, path],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            errors.append(f"{addon}/{lang}.po: msgfmt --check failed:\n{result.stderr}")
    return errors, len(fresh_keys)


def export(addon, pot_text):
    i18n, pot = paths(addon)
    os.makedirs(i18n, exist_ok=True)
    # Drop the creation date so that an unchanged export leaves no diff.
    pot_text = re.sub(r'"POT-Creation-Date: .*?\\n"\n', "", pot_text)
    pot_text = re.sub(r'"PO-Revision-Date: .*?\\n"\n', "", pot_text)
    with open(pot, "w", encoding="utf-8") as f:
        f.write(pot_text)
    for lang in LANGS:
        path = os.path.join(i18n, f"{lang}.po")
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
                pot,
            ],
            check=True,
        )
        po = polib.pofile(path)
        po[:] = [e for e in po if not e.obsolete]
        po.save(path)
    print(f"exported {pot} and merged it into {', '.join(LANGS)}.po")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--export", action="store_true")
    parser.add_argument("addons", nargs="*", default=list(DEFAULT_ADDONS))
    args = parser.parse_args()
    pots = export_pots(args.database, args.addons_path, args.addons)
    if args.export:
        for addon, pot_text in pots.items():
            export(addon, pot_text)
        return 0
    failed = 0
    for addon, pot_text in pots.items():
        errors, count = check(addon, pot_text)
        for error in errors:
            print(f"i18n: {error}", file=sys.stderr)
        if errors:
            print(f"i18n: {addon}: {len(errors)} problem(s)", file=sys.stderr)
            failed += 1
        else:
            print(f"i18n: {addon}: {count} terms, translated in {', '.join(LANGS)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
