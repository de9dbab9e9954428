"""Write the skillx toy taxonomy: ~45 made-up skills in the official ESCO CSV layout and SKOS Turtle.

The toy taxonomy is written by the project (no ESCO data is copied). Labels imitate the style
of ESCO (including the tricky ones a matcher must handle: "R", "Go", "C++", "communication")
so unit tests of the matcher, the ranker and the readers can run without the full ESCO.

Run from the repository root::

    .venv/bin/python taxonomy/toy/make_toy.py

It writes ``taxonomy/toy/csv/{skills_en,skillGroups_en,broaderRelationsSkillPillar,
skillSkillRelations}.csv`` (same columns as ESCO v1.1) and ``taxonomy/toy/toy.ttl``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = "http://skillx.example.org/toy"
SKILL = f"{BASE}/skill/"
GROUP = f"{BASE}/group/"
MODIFIED = "2024-01-15T12:00:00Z"
SCHEME = f"{BASE}/concept-scheme/skills"

# group id -> (code, preferred label, alt labels, description)
GROUPS: dict[str, tuple[str, str, list[str], str]] = {
    "T": ("T", "toy skills", [], "Top concept of the skillx toy taxonomy."),
    "T1": (
        "T1",
        "software development",
        ["programming", "software engineering"],
        "Designing, writing, testing and maintaining computer programs.",
    ),
    "T2": (
        "T2",
        "working with data",
        ["data science", "data analysis and statistics"],
        "Collecting, storing, analysing and presenting data.",
    ),
    "T3": (
        "T3",
        "healthcare and first aid",
        ["health care"],
        "Caring for patients and people who are injured or ill.",
    ),
    "T4": (
        "T4",
        "communication, collaboration and management",
        ["management skills"],
        "Working with others, leading teams and managing resources.",
    ),
    "T5": (
        "T5",
        "hospitality",
        ["food and beverage service"],
        "Serving guests in restaurants, bars and hotels.",
    ),
}

K, S = "knowledge", "skill/competence"
TRANS, CROSS, SECTOR, OCC = "transversal", "cross-sector", "sector-specific", "occupation-specific"

# id -> (skill type, reuse level, preferred label, alt labels, hidden labels, broader ids, description)
Row = tuple[str, str, str, list[str], list[str], list[str], str]
SKILLS: dict[str, Row] = {
    # software development
    "python": (
        K,
        SECTOR,
        "Python (computer programming)",
        ["Python", "Python programming", "Python 3"],
        ["Pyhton"],
        ["T1"],
        "The techniques and principles of software development in Python, such as analysis, "
        "algorithms, coding, testing and compiling.",
    ),
    "r": (
        K,
        SECTOR,
        "R",
        ["R programming", "R language", "GNU R"],
        [],
        ["T1", "T2"],
        "The techniques and principles of software development and statistical computing in R.",
    ),
    "go": (
        K,
        SECTOR,
        "Go",
        ["Golang", "Go programming language"],
        [],
        ["T1"],
        "The techniques and principles of software development in the Go language.",
    ),
    "cpp": (
        K,
        SECTOR,
        "C++",
        ["C plus plus", "cpp"],
        [],
        ["T1"],
        "The techniques and principles of software development in C++.",
    ),
    "javascript": (
        K,
        SECTOR,
        "JavaScript",
        ["JS", "ECMAScript", "JavaScript programming"],
        ["Javascipt"],
        ["T1"],
        "The techniques and principles of software development in JavaScript.",
    ),
    "java": (
        K,
        SECTOR,
        "Java (computer programming)",
        ["Java", "Java programming"],
        [],
        ["T1"],
        "The techniques and principles of software development in Java.",
    ),
    "design-patterns": (
        S,
        SECTOR,
        "use software design patterns",
        ["apply software design patterns", "apply design patterns"],
        [],
        ["T1"],
        "Utilise reusable solutions to common software development tasks.",
    ),
    "test-software": (
        S,
        SECTOR,
        "execute software tests",
        ["test software", "software testing", "perform software tests"],
        [],
        ["T1"],
        "Perform tests to ensure that a software product performs flawlessly.",
    ),
    "version-control": (
        S,
        SECTOR,
        "use version control systems",
        ["Git", "use Git", "source control management"],
        [],
        ["T1"],
        "Track and manage changes to source code with tools such as Git.",
    ),
    "debug": (
        S,
        SECTOR,
        "debug software",
        ["debugging", "fix software defects"],
        [],
        ["T1"],
        "Repair computer code by analysing testing results and locating the defects.",
    ),
    "web-apps": (
        S,
        SECTOR,
        "develop web applications",
        ["build web applications", "web development"],
        [],
        ["T1"],
        "Create interactive applications that run in a web browser.",
    ),
    # data
    "sql": (
        K,
        CROSS,
        "SQL",
        ["structured query language", "SQL queries"],
        [],
        ["T2", "T1"],
        "The computer language SQL for retrieving information from a database.",
    ),
    "machine-learning": (
        K,
        CROSS,
        "machine learning",
        ["ML", "statistical learning"],
        [],
        ["T2"],
        "The principles, methods and algorithms of machine learning.",
    ),
    "spreadsheets": (
        S,
        TRANS,
        "use spreadsheets software",
        ["use spreadsheets", "use Microsoft Excel", "Excel"],
        ["use spreadsheet software"],
        ["T2", "T4"],
        "Use software tools to create and edit tabular data.",
    ),
    "statistics": (
        K,
        CROSS,
        "statistics",
        ["statistical analysis", "statistical methods"],
        [],
        ["T2"],
        "The study of statistical theory, methods and practices.",
    ),
    "data-analysis": (
        S,
        CROSS,
        "perform data analysis",
        ["analyse data", "data analysis", "analyze data"],
        [],
        ["T2"],
        "Collect and evaluate data in order to support decision-making.",
    ),
    "data-mining": (
        K,
        CROSS,
        "data mining",
        ["data-mining", "data analysis"],
        [],
        ["T2"],
        "The methods of artificial intelligence, machine learning, statistics and databases "
        "used to extract content from a dataset.",
    ),
    "data-models": (
        S,
        SECTOR,
        "create data models",
        ["data modelling", "data modeling"],
        [],
        ["T2"],
        "Use specific techniques to analyse data requirements and build models of them.",
    ),
    "databases": (
        S,
        SECTOR,
        "manage databases",
        ["database administration", "administer databases"],
        [],
        ["T2"],
        "Apply database design schemes, define data dependencies and manage a DBMS.",
    ),
    "visualise-data": (
        S,
        CROSS,
        "deliver visual presentation of data",
        ["data visualisation", "data visualization", "visualise data"],
        [],
        ["T2"],
        "Create visual representations of data such as charts or diagrams.",
    ),
    # healthcare
    "first-aid": (
        S,
        CROSS,
        "provide first aid",
        ["administer first aid", "give first aid", "first aid"],
        ["first aide"],
        ["T3"],
        "Administer cardiopulmonary resuscitation or first aid to a sick or injured person.",
    ),
    "first-aid-k": (
        K,
        CROSS,
        "first aid",
        ["first aid principles"],
        [],
        ["T3"],
        "The emergency treatment given to a sick or injured person.",
    ),
    "cpr": (
        S,
        SECTOR,
        "perform cardiopulmonary resuscitation",
        ["CPR", "perform CPR", "resuscitate patients"],
        [],
        ["first-aid"],
        "Perform cardiopulmonary resuscitation on a person whose heart has stopped.",
    ),
    "medication": (
        S,
        OCC,
        "administer medication",
        ["give medication", "dispense medicine", "administer drugs"],
        [],
        ["T3"],
        "Give prescribed medicines to patients following the correct dose and route.",
    ),
    "vital-signs": (
        S,
        OCC,
        "monitor patient's vital signs",
        ["check vital signs", "monitor vital signs"],
        [],
        ["T3"],
        "Monitor and analyse heart rate, breathing and blood pressure.",
    ),
    "anatomy": (
        K,
        SECTOR,
        "human anatomy",
        ["anatomy", "anatomy of the human body"],
        [],
        ["T3"],
        "The structure and function of the human body.",
    ),
    "infection-control": (
        S,
        SECTOR,
        "apply infection control",
        ["infection prevention", "prevent infections"],
        [],
        ["T3"],
        "Apply measures to prevent and control infections in care settings.",
    ),
    "patient-records": (
        S,
        OCC,
        "maintain patient records",
        ["keep patient records", "patient documentation"],
        [],
        ["T3"],
        "Keep accurate records of patients' treatment and progress.",
    ),
    # communication, collaboration and management
    "communication": (
        K,
        TRANS,
        "communication",
        ["communication skills", "communicating"],
        [],
        ["T4"],
        "Exchanging and conveying information, ideas and feelings through words and signs.",
    ),
    "teamwork": (
        K,
        TRANS,
        "teamwork principles",
        ["teamwork", "team work", "collaboration"],
        [],
        ["T4"],
        "The cooperation between people to reach a given goal.",
    ),
    "budgets": (
        S,
        CROSS,
        "manage budgets",
        ["budget management", "control budgets", "budgeting"],
        ["manage budget"],
        ["T4"],
        "Plan, monitor and report on the budget.",
    ),
    "staff": (
        S,
        CROSS,
        "manage staff",
        ["lead a team", "supervise staff", "staff management"],
        [],
        ["T4"],
        "Manage employees and subordinates, working in a team or individually.",
    ),
    "project-management": (
        K,
        CROSS,
        "project management",
        ["project planning", "managing projects"],
        [],
        ["T4"],
        "The areas that make up project management: time, resources, risks.",
    ),
    "presentations": (
        S,
        TRANS,
        "present reports",
        ["give presentations", "public speaking"],
        [],
        ["T4"],
        "Display results, statistics and conclusions to an audience.",
    ),
    "reports": (
        S,
        CROSS,
        "write work-related reports",
        ["write reports", "report writing"],
        [],
        ["T4"],
        "Compose work-related reports that support relationship management.",
    ),
    "customers": (
        S,
        CROSS,
        "communicate with customers",
        ["customer communication", "liaise with customers"],
        [],
        ["T4", "T5"],
        "Respond to and communicate with customers efficiently and appropriately.",
    ),
    "negotiate": (
        S,
        CROSS,
        "negotiate supplier arrangements",
        ["negotiate with suppliers"],
        [],
        ["T4"],
        "Reach an agreement with the supplier on technical and commercial requirements.",
    ),
    # hospitality
    "greet-guests": (
        S,
        SECTOR,
        "welcome restaurant guests",
        ["greet guests", "welcome guests"],
        [],
        ["T5"],
        "Welcome guests and bring them to a table.",
    ),
    "serve-beverages": (
        S,
        SECTOR,
        "serve beverages",
        ["serve drinks"],
        [],
        ["T5"],
        "Provide alcoholic and non-alcoholic beverages to guests.",
    ),
    "food-safety": (
        S,
        SECTOR,
        "comply with food safety and hygiene",
        ["food hygiene", "food safety"],
        [],
        ["T5", "T3"],
        "Respect food safety and hygiene when preparing and serving food.",
    ),
    "cash-register": (
        S,
        SECTOR,
        "operate cash register",
        ["use a till", "work the till"],
        [],
        ["T5"],
        "Register and handle cash transactions using a point of sale register.",
    ),
    "hot-drinks": (
        S,
        OCC,
        "prepare hot drinks",
        ["make coffee", "prepare coffee and tea"],
        [],
        ["T5"],
        "Make hot beverages such as coffee and tea.",
    ),
    "complaints": (
        S,
        TRANS,
        "handle customer complaints",
        ["deal with complaints", "manage complaints"],
        [],
        ["T5", "T4"],
        "Administer complaints and negative feedback from customers.",
    ),
    "clean-rooms": (
        S,
        OCC,
        "clean rooms",
        ["clean guest rooms", "housekeeping"],
        [],
        ["T5"],
        "Clean rooms by tidying, vacuuming and making beds.",
    ),
}

# (original skill, relation type, related skill), as in ESCO's skillSkillRelations.csv
RELATIONS: list[tuple[str, str, str]] = [
    ("machine-learning", "essential", "python"),
    ("machine-learning", "essential", "statistics"),
    ("machine-learning", "optional", "r"),
    ("data-analysis", "essential", "statistics"),
    ("data-analysis", "optional", "spreadsheets"),
    ("data-analysis", "optional", "sql"),
    ("databases", "essential", "sql"),
    ("web-apps", "essential", "javascript"),
    ("debug", "optional", "test-software"),
    ("medication", "essential", "anatomy"),
    ("vital-signs", "optional", "anatomy"),
    ("first-aid", "optional", "first-aid-k"),
    ("budgets", "optional", "spreadsheets"),
    ("complaints", "essential", "customers"),
    ("staff", "optional", "teamwork"),
]

SKILL_COLUMNS = [
    "conceptType",
    "conceptUri",
    "skillType",
    "reuseLevel",
    "preferredLabel",
    "altLabels",
    "hiddenLabels",
    "status",
    "modifiedDate",
    "scopeNote",
    "definition",
    "inScheme",
    "description",
]
GROUP_COLUMNS = [
    "conceptType",
    "conceptUri",
    "preferredLabel",
    "altLabels",
    "hiddenLabels",
    "status",
    "modifiedDate",
    "scopeNote",
    "inScheme",
    "description",
    "code",
]


def _uri(key: str) -> str:
    return GROUP + key if key in GROUPS else SKILL + key


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_csv(out: Path) -> None:
    """Write the four ESCO-layout CSV files into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    skills = [
        [
            "KnowledgeSkillCompetence",
            SKILL + key,
            kind,
            reuse,
            pref,
            "\n".join(alts),
            "\n".join(hidden),
            "released",
            MODIFIED,
            "",
            "",
            SCHEME,
            desc,
        ]
        for key, (kind, reuse, pref, alts, hidden, _broader, desc) in SKILLS.items()
    ]
    groups = [
        ["SkillGroup", GROUP + key, pref, "\n".join(alts), "", "released", MODIFIED, "", SCHEME, desc, code]
        for key, (code, pref, alts, desc) in GROUPS.items()
    ]
    broader = [["SkillGroup", GROUP + key, "SkillGroup", GROUP + "T"] for key in GROUPS if key != "T"] + [
        [
            "KnowledgeSkillCompetence",
            SKILL + key,
            "SkillGroup" if parent in GROUPS else "KnowledgeSkillCompetence",
            _uri(parent),
        ]
        for key, row in SKILLS.items()
        for parent in row[5]
    ]
    relations = [
        [SKILL + src, SKILLS[src][0], rel, SKILLS[dst][0], SKILL + dst] for src, rel, dst in RELATIONS
    ]
    _write(out / "skills_en.csv", SKILL_COLUMNS, skills)
    _write(out / "skillGroups_en.csv", GROUP_COLUMNS, groups)
    _write(
        out / "broaderRelationsSkillPillar.csv",
        ["conceptType", "conceptUri", "broaderType", "broaderUri"],
        broader,
    )
    _write(
        out / "skillSkillRelations.csv",
        ["originalSkillUri", "originalSkillType", "relationType", "relatedSkillType", "relatedSkillUri"],
        relations,
    )


def main() -> None:
    write_csv(HERE / "csv")
    # The Turtle file is written by skillx itself from the CSVs, which also checks the CSV reader.
    sys.path.insert(0, str(HERE.parent.parent))
    from skillx.taxonomy import read_esco_csv
    from skillx.taxonomy.skos import write_skos

    taxonomy = read_esco_csv(HERE / "csv", esco_version="", language="en")
    taxonomy.name = "skillx toy"
    write_skos(taxonomy, HERE / "toy.ttl")
    print(
        f"wrote {len(taxonomy)} skills, {len(taxonomy.groups)} groups, "
        f"{len(taxonomy.relations)} relations to {HERE}"
    )


if __name__ == "__main__":
    main()
