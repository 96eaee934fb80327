"""Writes KPI sheets in layouts Shinchoku has never seen, with openpyxl (another
writer than Shinchoku's): python3 make_unseen.py OUT_DIR"""
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)

# 1. 総合戦略 KPI table: hierarchy in columns, one 実績 column per year (西暦 and 和暦 mixed).
wb = Workbook()
ws = wb.active
ws.title = "KPI進捗"
ws["A1"] = "第2期 まち・ひと・しごと創生総合戦略 KPI進捗状況"
ws["A1"].font = Font(bold=True, size=14)
head = ["基本目標", "施策", "重要業績評価指標(KPI)", "単位", "基準値(R2)", "2022年度実績", "R5実績", "目標値(R7)", "達成状況", "所管課"]
ws.append([])
ws.append(head)
rows = [
    ["1 しごとをつくる", "(1) 産業の振興", "新規雇用者数", "人", 120, 150, 180, 300, "B", "商工政策課"],
    ["1 しごとをつくる", "(1) 産業の振興", "企業誘致件数", "件", 5, 7, 12, 10, "A", "企業立地課"],
    ["1 しごとをつくる", "(2) 農林水産業", "新規就農者数", "人", 80, 70, 75, 120, "D", "農業振興課"],
    ["2 ひとの流れ", "(1) 移住の促進", "移住者数", "人", 900, 1100, 1300, 1500, "B", "移住定住課"],
    ["2 ひとの流れ", "(1) 移住の促進", "観光入込客数(累計)", "万人", 5000, 5600, 6200, 6000, "A", "観光課"],
]
for r in rows:
    ws.append(r)
for col, w in zip("ABCDEFGHIJ", [18, 18, 30, 6, 10, 12, 10, 10, 8, 14]):
    ws.column_dimensions[col].width = w
# The prefecture's own face and colours: 10 pt MS Gothic at the top of each cell, the header filled.
for row in ws.iter_rows(min_row=4):
    for cell in row:
        cell.font = Font(name="MS Gothic", size=10)
        cell.alignment = Alignment(vertical="top")
    row[2].alignment = Alignment(wrap_text=True, vertical="top")
    row[3].alignment = Alignment(horizontal="center", vertical="top")   # 単位 and 達成状況 centred
    row[8].alignment = Alignment(horizontal="center", vertical="top")
for cell in ws[3]:
    cell.fill = PatternFill("solid", fgColor="DDEBF7")
    cell.font = Font(name="MS Mincho", size=9)   # the header in a face of its own, not bold
# Printed on A3 landscape, one page wide, the header on every page, page numbers in the footer.
ws.page_setup.paperSize = ws.PAPERSIZE_A3
ws.page_setup.orientation = "landscape"
ws.sheet_properties.pageSetUpPr.fitToPage = True
ws.page_setup.fitToWidth = 1
ws.page_setup.fitToHeight = 0
ws.print_title_rows = "3:3"
ws.oddFooter.center.text = "&P / &N"
ws.row_dimensions[1].height = 24
ws.row_dimensions[3].height = 30
wb.save(out / "sogo-senryaku.xlsx")

# 2. Headings as rows, a two-row header (years under a merged 実績), 現状値 with its year in a second column.
wb = Workbook()
ws = wb.active
ws.title = "進捗管理表"
ws["A1"] = "○○市総合計画 成果指標の進捗"
ws.append([])
ws.append(["指標名", "現状値", "現状値", "実績", "実績", "目標 (令和7年度)", "評価", "担当課"])
ws.append([None, "値", "年度", "令和4年度", "令和5年度", None, None, None])
ws.merge_cells("B3:C3")
ws.merge_cells("D3:E3")
ws.merge_cells("A3:A4")
ws.merge_cells("F3:F4")
ws.merge_cells("G3:G4")
ws.merge_cells("H3:H4")
ws.append(["基本目標1 安心して暮らせるまち"])
ws.append(["施策(1) 防災力の向上"])
ws.append(["自主防災組織の組織率", "85.0%", "R2", "88.5%", "90.1%", "95.0%", "○", "危機管理課"])
ws.append(["防災訓練の参加者数", 3200, "R2", 3500, 2900, 5000, "△", "危機管理課"])
ws.append(["施策(2) 地域医療"])
ws.append(["かかりつけ医を持つ市民の割合", "60%", "R3", "62%", "66%", "70%", "△", "健康推進課"])
ws.append(["基本目標2 活力あるまち"])
ws.append(["施策(1) 商工業"])
ws.append(["創業件数", 12, "R2", 15, 21, 20, "○", "商工課"])
# Thin lines round the header and the KPI rows (not the heading rows); 評価 centred.
thin = Side(style="thin")
for row in ws.iter_rows(min_row=3, max_col=8):
    if row[0].row in (3, 4) or row[1].value is not None:
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        if row[0].row > 4:
            row[6].alignment = Alignment(horizontal="center")
# A4 portrait, not fitted, the two header rows on every page, the city's name in the header.
ws.page_setup.paperSize = ws.PAPERSIZE_A4
ws.page_setup.orientation = "portrait"
ws.print_title_rows = "3:4"
ws.oddHeader.right.text = "○○市 企画課"
ws.row_dimensions[3].height = 20
wb.save(out / "headings.xlsx")

# 3. Projects on one sheet, their KPIs on another, joined by the project's number.
wb = Workbook()
ws = wb.active
ws.title = "事業一覧"
ws["A1"] = "○○県DX推進計画 事業一覧"
ws["A1"].font = Font(bold=True, size=14)
ws.append([])
ws.append(["事業番号", "分野番号", "分野", "事業名", "担当課", "評価", "取組状況"])
projects = [   # the areas numbered as the plan numbers them (3 and 5), not 1 and 2
    [1, "3", "行政のDX", "電子申請の拡充", "デジタル推進課", "A", "申請手続のオンライン化を進めた。"],
    [2, "3", "行政のDX", "テレワークの推進", "人事課", "B", "在宅勤務の端末を増やした。"],
    [3, "5", "地域のDX", "スマート農業の普及", "農業振興課", "C", "実証を2地区で行った。"],
    [4, "5", "地域のDX", "オープンデータの公開", "デジタル推進課", None, None],
]
for r in projects:
    ws.append(r)
for col, w in zip("ABCDEFG", [9, 8, 12, 24, 16, 6, 40]):
    ws.column_dimensions[col].width = w
ws.page_setup.paperSize = ws.PAPERSIZE_A4
ws.page_setup.orientation = "landscape"
ws.print_title_rows = "3:3"
ws2 = wb.create_sheet("KPI")
ws2["A1"] = "KPI一覧"
ws2.append([])
ws2.append(["事業番号", "指標名", "単位", "基準値", "R4実績", "R5実績", "目標値(R7)"])
kpis = [
    [1, "オンライン申請できる手続数", "件", 120, 300, 520, 800],
    [1, "オンライン申請の利用率", "%", "12%", "25%", "31%", "50%"],
    [2, "テレワーク実施率", "%", "8%", "20%", "27%", "40%"],
    [3, "スマート農業の導入経営体数", "経営体", 15, 22, 30, 60],
    [3, "スマート農業研修の受講者数(累計)", "人", 0, 80, 150, 300],
]
for r in kpis:
    ws2.append(r)
for col, w in zip("ABCDEFG", [9, 34, 8, 10, 10, 10, 12]):
    ws2.column_dimensions[col].width = w
ws2.page_setup.paperSize = ws2.PAPERSIZE_A4
ws2.page_setup.orientation = "portrait"
ws2.print_title_rows = "3:3"
wb.save(out / "two-sheets.xlsx")

# 4. A project's KPIs on rows under it, its cells merged down over them (one project without a KPI).
wb = Workbook()
ws = wb.active
ws.title = "事業別KPI"
ws["A1"] = "事業別 成果指標の状況"
ws.append([])
ws.append(["事業番号", "事業名", "担当課", "指標名", "単位", "基準値", "R5実績", "目標値(R7)", "評価"])
rows = [
    [1, "電子申請の拡充", "デジタル推進課", "オンライン申請できる手続数", "件", 120, 520, 800, "○"],
    [None, None, None, "オンライン申請の利用率", "%", "12%", "31%", "50%", None],
    [2, "テレワークの推進", "人事課", "テレワーク実施率", "%", "8%", "27%", "40%", "△"],
    [3, "スマート農業の普及", "農業振興課", "導入経営体数", "経営体", 15, 30, 60, "△"],
    [None, None, None, "研修の受講者数(累計)", "人", 0, 150, 300, None],
    [None, None, None, "実証地区数", "地区", 0, 2, 5, None],
    [4, "オープンデータの公開", "デジタル推進課", None, None, None, None, None, None],
]
for r in rows:
    ws.append(r)
for col in "ABCI":
    ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells(f"{col}7:{col}9")
for col, w in zip("ABCDEFGHI", [9, 22, 16, 30, 8, 10, 10, 12, 6]):
    ws.column_dimensions[col].width = w
wb.save(out / "merged-projects.xlsx")

# 5. A workbook with no KPI table at all (its header cannot be found).
wb = Workbook()
ws = wb.active
ws.title = "メモ"
ws["A1"] = "会議の議事メモ"
ws["A2"] = "次回は来月"
wb.save(out / "no-table.xlsx")
