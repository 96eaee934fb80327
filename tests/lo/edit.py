#!/usr/bin/python3
"""Edits a workbook in LibreOffice Calc as a person would, driven headless
through Python-UNO, and saves it as .xlsx with LibreOffice's own filter.

    edit.py SPEC.json

SPEC: {"in": PATH, "out": PATH, "actions": [...]}, each action one of
  ["type", SHEET, CELL, TEXT]       typed through the input path (.uno:EnterString):
                                    number recognition by the cell's format, locked
                                    cells of a protected sheet refused
  ["replace", SHEET, OLD, NEW]      the cell holding exactly OLD gets NEW typed in
  ["unprotect", SHEET]              Tools > Protect Sheet off (no password)
  ["unhide", SHEET]                 Sheet > Show Sheet
  ["delete_row", SHEET, ROW]        the whole row (1-based) deleted
  ["insert_row", SHEET, ROW]        an empty row inserted above ROW
  ["remove_sheet", SHEET]
Prints a JSON list of what each action did ("ok" or "refused")."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    # LibreOffice itself has gone away mid-edit on a loaded machine ("Binary URP bridge
    # disposed"): the edit is done again from the start in a new LibreOffice, once.
    for attempt in (1, 2):
        try:
            print(json.dumps(edit(spec)))
            return
        except Exception as e:  # the UNO bridge's exceptions have no importable common base
            if attempt == 2 or "disposed" not in str(e).lower() and "DisposedException" not in type(e).__name__:
                raise
            print(f"edit.py: LibreOffice went away ({type(e).__name__}); editing again", file=sys.stderr)


def edit(spec):
    profile = tempfile.mkdtemp(prefix="shinchoku-lo-")
    port = free_port()
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         f"-env:UserInstallation=file://{profile}",
         f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        # File names are Japanese (令和5年度_総務部.xlsx): LibreOffice needs a UTF-8 locale for them.
        env=dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8"))
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(300):
            try:
                ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.1)
        if ctx is None:
            sys.exit("LibreOffice did not start")
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        # LibreOffice is handed ASCII names (it does not open 令和5年度_総務部.xlsx by URL here).
        src = os.path.join(profile, "in.xlsx")
        shutil.copyfile(spec["in"], src)
        url = uno.systemPathToFileUrl(src)
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        controller = doc.getCurrentController()
        frame = controller.getFrame()
        done = []
        for a in spec["actions"]:
            kind, sheet_name = a[0], a[1]
            sheet = doc.Sheets.getByName(sheet_name) if kind != "remove_sheet" else None
            if kind in ("type", "replace"):
                if kind == "type":
                    cell = a[2]
                    text = a[3]
                else:
                    cell, text = find(sheet, a[2]), a[3]
                controller.setActiveSheet(sheet)
                dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", cell),))
                before = sheet.getCellRangeByName(cell).getFormula()
                dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
                after = sheet.getCellRangeByName(cell).getFormula()
                done.append("ok" if after != before or text == before else "refused")
            elif kind == "unprotect":
                sheet.unprotect("")
                done.append("ok")
            elif kind == "unhide":
                sheet.IsVisible = True
                done.append("ok")
            elif kind == "delete_row":
                sheet.Rows.removeByIndex(int(a[2]) - 1, 1)
                done.append("ok")
            elif kind == "insert_row":
                sheet.Rows.insertByIndex(int(a[2]) - 1, 1)
                done.append("ok")
            elif kind == "remove_sheet":
                doc.Sheets.removeByName(sheet_name)
                done.append("ok")
            else:
                sys.exit(f"unknown action {kind}")
        dst = os.path.join(profile, "out.xlsx")
        doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", "Calc MS Excel 2007 XML"),))
        shutil.move(dst, spec["out"])
        try:
            doc.close(True)
        except Exception:
            pass  # the file is saved; LibreOffice sometimes goes away while closing a workbook with charts
        return done
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=20)
        except Exception:
            office.kill()
        shutil.rmtree(profile, ignore_errors=True)


def find(sheet, text):
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    rows, cols = cursor.RangeAddress.EndRow + 1, cursor.RangeAddress.EndColumn + 1
    # The texts of the used area in one call (a call per cell is thousands of round trips).
    data = sheet.getCellRangeByPosition(0, 0, cols - 1, rows - 1).getDataArray()
    for r, row in enumerate(data):
        for c, value in enumerate(row):
            if isinstance(value, str) and value == text:
                return sheet.getCellByPosition(c, r).AbsoluteName.split(".")[-1].replace("$", "")
    # A number is found by the text it shows.
    for r in range(rows):
        for c in range(cols):
            if not isinstance(data[r][c], str) and sheet.getCellByPosition(c, r).getString() == text:
                return sheet.getCellByPosition(c, r).AbsoluteName.split(".")[-1].replace("$", "")
    sys.exit(f"{text!r} is not in {sheet.Name}")


if __name__ == "__main__":
    main()
