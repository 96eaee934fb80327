//! The database schema as an append-only list of migrations. Never edit a
//! shipped migration: append a new one. `PRAGMA user_version` holds how many
//! have been applied; `PRAGMA application_id` marks the file as Shinchoku's.

/// `SHIN` in ASCII: the application id written into every Shinchoku database.
pub const APPLICATION_ID: i32 = 0x5348_494E;

pub const MIGRATIONS: &[&str] = &[
    // 1: the plan, its structure, KPIs, yearly results and revisions.
    r#"
CREATE TABLE plan (
    id            INTEGER PRIMARY KEY,
    organization  TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL,
    report_title  TEXT,
    period_start  INTEGER,
    period_end    INTEGER,
    report_year   INTEGER NOT NULL,
    as_of         TEXT,
    rule          TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE TABLE plan_year (
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    fy      INTEGER NOT NULL,
    PRIMARY KEY (plan_id, fy)
) WITHOUT ROWID;
CREATE TABLE area (
    id      INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    code    TEXT NOT NULL,
    name    TEXT,
    UNIQUE (plan_id, code)
);
CREATE TABLE item (
    id      INTEGER PRIMARY KEY,
    area_id INTEGER NOT NULL REFERENCES area(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    code    TEXT NOT NULL,
    name    TEXT,
    UNIQUE (area_id, code)
);
CREATE TABLE kpi (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    no            INTEGER NOT NULL,
    label         TEXT,
    grp           TEXT,
    name          TEXT NOT NULL,
    unit          TEXT,
    direction     TEXT NOT NULL CHECK (direction IN ('up', 'down')),
    cumulative    INTEGER NOT NULL CHECK (cumulative IN (0, 1)),
    baseline      TEXT,
    baseline_year INTEGER,
    divisions     TEXT NOT NULL DEFAULT '',
    footnotes     TEXT NOT NULL DEFAULT '',
    UNIQUE (plan_id, no)
);
CREATE TABLE kpi_value (
    kpi_id INTEGER NOT NULL REFERENCES kpi(id) ON DELETE CASCADE,
    fy     INTEGER NOT NULL,
    kind   TEXT NOT NULL CHECK (kind IN ('target', 'actual')),
    value  TEXT NOT NULL,
    as_of  TEXT,
    PRIMARY KEY (kpi_id, fy, kind)
) WITHOUT ROWID;
CREATE TABLE project (
    id      INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    no      TEXT NOT NULL,
    area_id INTEGER NOT NULL REFERENCES area(id),
    item_id INTEGER REFERENCES item(id),
    name    TEXT,
    summary TEXT,
    goal    TEXT,
    UNIQUE (plan_id, no)
);
CREATE TABLE project_owner (
    project_id INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    department TEXT,
    division   TEXT,
    PRIMARY KEY (project_id, seq)
) WITHOUT ROWID;
CREATE TABLE relisting (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    project_id INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    area_id    INTEGER NOT NULL REFERENCES area(id),
    item_id    INTEGER REFERENCES item(id),
    summary    TEXT,
    goal       TEXT
);
CREATE TABLE entry_kpi (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER REFERENCES project(id) ON DELETE CASCADE,
    relisting_id INTEGER REFERENCES relisting(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    kpi_id       INTEGER NOT NULL REFERENCES kpi(id) ON DELETE CASCADE,
    relisted     INTEGER NOT NULL DEFAULT 0 CHECK (relisted IN (0, 1)),
    CHECK ((project_id IS NULL) <> (relisting_id IS NULL))
);
CREATE TABLE project_year (
    project_id INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    fy         INTEGER NOT NULL,
    evaluation TEXT CHECK (evaluation IN ('○', '△', '×', '-')),
    narrative  TEXT,
    budget     INTEGER,
    issues     TEXT,
    PRIMARY KEY (project_id, fy)
) WITHOUT ROWID;
CREATE TABLE relisting_year (
    relisting_id INTEGER NOT NULL REFERENCES relisting(id) ON DELETE CASCADE,
    fy           INTEGER NOT NULL,
    evaluation   TEXT CHECK (evaluation IN ('○', '△', '×', '-')),
    narrative    TEXT,
    PRIMARY KEY (relisting_id, fy)
) WITHOUT ROWID;
CREATE TABLE revision (
    id             INTEGER PRIMARY KEY,
    plan_id        INTEGER REFERENCES plan(id) ON DELETE SET NULL,
    at             TEXT NOT NULL,
    kind           TEXT NOT NULL,
    summary        TEXT NOT NULL,
    source_file    TEXT,
    source_sha256  TEXT,
    department     TEXT,
    fields_changed INTEGER NOT NULL
);
CREATE TABLE change (
    revision_id INTEGER NOT NULL REFERENCES revision(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    path        TEXT NOT NULL,
    old         TEXT,
    new         TEXT,
    PRIMARY KEY (revision_id, seq)
) WITHOUT ROWID;
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE INDEX area_plan ON area(plan_id);
CREATE INDEX item_area ON item(area_id);
CREATE INDEX kpi_plan ON kpi(plan_id);
CREATE INDEX project_plan ON project(plan_id);
CREATE INDEX project_area ON project(area_id);
CREATE INDEX project_item ON project(item_id);
CREATE INDEX relisting_plan ON relisting(plan_id);
CREATE INDEX relisting_project ON relisting(project_id);
CREATE INDEX relisting_area ON relisting(area_id);
CREATE INDEX relisting_item ON relisting(item_id);
CREATE INDEX entry_kpi_project ON entry_kpi(project_id);
CREATE INDEX entry_kpi_relisting ON entry_kpi(relisting_id);
CREATE INDEX entry_kpi_kpi ON entry_kpi(kpi_id);
CREATE INDEX revision_plan ON revision(plan_id);
"#,
    // 2: department returns: conflicts found by merges, and undo.
    r#"
ALTER TABLE revision ADD COLUMN undoes INTEGER REFERENCES revision(id);
CREATE TABLE conflict (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    revision_id   INTEGER NOT NULL REFERENCES revision(id),
    path          TEXT NOT NULL,
    file          TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    department    TEXT,
    project       TEXT,
    kpi           INTEGER,
    field         TEXT NOT NULL,
    cell          TEXT,
    base          TEXT,
    plan_value    TEXT,
    return_value  TEXT,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolution    TEXT,
    resolved_revision INTEGER REFERENCES revision(id)
);
CREATE INDEX conflict_plan ON conflict(plan_id, status);
CREATE INDEX conflict_path ON conflict(plan_id, path);
"#,
    // 3: the app's yearly entry: why an evaluation differs from the proposal, and 確定.
    r#"
ALTER TABLE project_year ADD COLUMN reason TEXT;
ALTER TABLE project_year ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1));
"#,
    // 4: the other seed reports. Project cards: 主な取組, 課題とアクション and 予算 lines per
    // project and year (JSON lists, read and written as one unit); the progress report's
    // 現状・課題 and 取組状況 per item; the 工程表.
    r#"
ALTER TABLE project_year ADD COLUMN activities TEXT;
ALTER TABLE project_year ADD COLUMN actions TEXT;
ALTER TABLE project_year ADD COLUMN budget_lines TEXT;
ALTER TABLE item ADD COLUMN situation TEXT;
ALTER TABLE item ADD COLUMN progress TEXT;
CREATE TABLE schedule_row (
    plan_id   INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    area_id   INTEGER NOT NULL REFERENCES area(id),
    item_id   INTEGER REFERENCES item(id),
    grp       TEXT,
    label     TEXT NOT NULL,
    actor     TEXT NOT NULL CHECK (actor IN ('prefecture', 'nation')),
    start_fy  INTEGER NOT NULL,
    end_fy    INTEGER NOT NULL CHECK (end_fy >= start_fy),
    milestone INTEGER NOT NULL CHECK (milestone IN (0, 1)),
    note      TEXT,
    progress  TEXT CHECK (progress IN ('done', 'delayed')),
    PRIMARY KEY (plan_id, seq)
) WITHOUT ROWID;
CREATE INDEX schedule_row_area ON schedule_row(area_id);
CREATE INDEX schedule_row_item ON schedule_row(item_id);
"#,
    // 5: returns received (by content hash: a file merged once is not merged again; a
    // department's later return supersedes what its earlier one set) and the values each
    // one applied; coordinators' files opened in a department's app. The key that signs
    // the returns' metadata lives in `setting`.
    r#"
CREATE TABLE return_file (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    fy          INTEGER NOT NULL,
    department  TEXT,
    file        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    signed      INTEGER NOT NULL CHECK (signed IN (0, 1)),
    revision_id INTEGER NOT NULL REFERENCES revision(id),
    supersedes  INTEGER REFERENCES return_file(id),
    round_id    INTEGER REFERENCES round(id),
    received_at TEXT,
    UNIQUE (plan_id, sha256)
);
-- 照会: one open round per plan and year, with a due date; each 部's state in it.
CREATE TABLE round (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    fy         INTEGER NOT NULL,
    title      TEXT NOT NULL,
    due        TEXT NOT NULL,
    opened_at  TEXT NOT NULL,
    closed_at  TEXT
);
CREATE UNIQUE INDEX round_open ON round(plan_id, fy) WHERE closed_at IS NULL;
CREATE TABLE round_department (
    round_id     INTEGER NOT NULL REFERENCES round(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    department   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'not_returned'
                 CHECK (state IN ('not_returned', 'returned', 'sent_back', 'confirmed')),
    templates_at TEXT,
    PRIMARY KEY (round_id, department)
) WITHOUT ROWID;
CREATE TABLE return_value (
    return_file_id INTEGER NOT NULL REFERENCES return_file(id) ON DELETE CASCADE,
    path           TEXT NOT NULL,
    value          TEXT,
    PRIMARY KEY (return_file_id, path)
) WITHOUT ROWID;
-- A coordinator's 記入用ファイル opened in a department's app: its metadata sheet
-- as read, written back unchanged into the return the app saves.
CREATE TABLE opened_return (
    plan_id    INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    department TEXT NOT NULL,
    fy         INTEGER NOT NULL,
    file       TEXT NOT NULL,
    meta       TEXT NOT NULL,
    PRIMARY KEY (plan_id, department, fy)
) WITHOUT ROWID;
CREATE INDEX return_file_plan ON return_file(plan_id, fy, department);
CREATE INDEX return_value_path ON return_value(path);
CREATE INDEX change_path ON change(path);
"#,
    // 6: the plan across years. A KPI may keep a level (維持, with a tolerance); every
    // revision of a target is kept; a project has a first and last year and the
    // projects it continues (統合・分割); an evaluation is a mark of the plan's scale (the
    // rule decides which marks), so the fixed ○△×- check goes. SQLite cannot change a
    // CHECK in place: the three tables are rebuilt (the runner turns foreign keys off
    // for the rebuild and checks them before committing).
    r#"
CREATE TABLE kpi_new (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    no            INTEGER NOT NULL,
    label         TEXT,
    grp           TEXT,
    name          TEXT NOT NULL,
    unit          TEXT,
    direction     TEXT NOT NULL CHECK (direction IN ('up', 'down', 'keep')),
    cumulative    INTEGER NOT NULL CHECK (cumulative IN (0, 1)),
    baseline      TEXT,
    baseline_year INTEGER,
    divisions     TEXT NOT NULL DEFAULT '',
    footnotes     TEXT NOT NULL DEFAULT '',
    tolerance     TEXT,
    UNIQUE (plan_id, no)
);
INSERT INTO kpi_new (id, plan_id, no, label, grp, name, unit, direction, cumulative, baseline, baseline_year, divisions, footnotes)
    SELECT id, plan_id, no, label, grp, name, unit, direction, cumulative, baseline, baseline_year, divisions, footnotes FROM kpi;
DROP TABLE kpi;
ALTER TABLE kpi_new RENAME TO kpi;
CREATE INDEX kpi_plan ON kpi(plan_id);

CREATE TABLE project_year_new (
    project_id   INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    fy           INTEGER NOT NULL,
    evaluation   TEXT CHECK (length(evaluation) BETWEEN 1 AND 8),
    narrative    TEXT,
    budget       INTEGER,
    issues       TEXT,
    reason       TEXT,
    confirmed    INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
    activities   TEXT,
    actions      TEXT,
    budget_lines TEXT,
    PRIMARY KEY (project_id, fy)
) WITHOUT ROWID;
INSERT INTO project_year_new SELECT project_id, fy, evaluation, narrative, budget, issues, reason, confirmed, activities, actions, budget_lines FROM project_year;
DROP TABLE project_year;
ALTER TABLE project_year_new RENAME TO project_year;

CREATE TABLE relisting_year_new (
    relisting_id INTEGER NOT NULL REFERENCES relisting(id) ON DELETE CASCADE,
    fy           INTEGER NOT NULL,
    evaluation   TEXT CHECK (length(evaluation) BETWEEN 1 AND 8),
    narrative    TEXT,
    PRIMARY KEY (relisting_id, fy)
) WITHOUT ROWID;
INSERT INTO relisting_year_new SELECT relisting_id, fy, evaluation, narrative FROM relisting_year;
DROP TABLE relisting_year;
ALTER TABLE relisting_year_new RENAME TO relisting_year;

-- 目標値の改定: the target of `fy` became `value` for the years rated from `from_fy`.
CREATE TABLE target_revision (
    kpi_id     INTEGER NOT NULL REFERENCES kpi(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    fy         INTEGER NOT NULL,
    previous   TEXT,
    value      TEXT NOT NULL,
    from_fy    INTEGER NOT NULL,
    revised_on TEXT NOT NULL,
    reason     TEXT,
    PRIMARY KEY (kpi_id, seq)
) WITHOUT ROWID;

ALTER TABLE project ADD COLUMN start_fy INTEGER;
ALTER TABLE project ADD COLUMN end_fy INTEGER;
ALTER TABLE project ADD COLUMN origin TEXT NOT NULL DEFAULT '';
"#,
];

/// The schema version this build writes.
pub fn latest_version() -> i32 {
    MIGRATIONS.len() as i32
}
