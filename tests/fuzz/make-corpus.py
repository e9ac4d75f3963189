#!/usr/bin/env python3
"""make-corpus.py - (re)build the seed corpora of the fuzz targets from the
repository's own files: tests/data/**, models/*.ini, scenarios/*.ini and an
excerpt of data/almere_cohort.csv, plus hand-written inputs for the corners
the real files do not reach (dialects, quoting, every section and key,
distributions, scenario overrides, expression syntax).

Run from the source tree:  python3 tests/fuzz/make-corpus.py
It rewrites tests/fuzz/corpus/{csv,model,expr}/ (the regression inputs in
tests/fuzz/regress/ are never touched). Seeds are named by content, so a
rerun gives the same files. The corpora stay small (a few hundred KB)."""

import glob
import hashlib
import os
import re
import shutil

SPLIT = "--8<--\n"     # the model target's file separator (targets.c, FUZZ_SPLIT)
MAX_SEED = 24 * 1024  # bytes; larger files are cut to an excerpt
OUT = "tests/fuzz/corpus"


def read(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def put(target, name, text):
    data = text.encode("utf-8", errors="surrogateescape") if isinstance(text, str) else text
    h = hashlib.sha1(data).hexdigest()[:8]
    with open(os.path.join(OUT, target, f"{name}-{h}"), "wb") as f:
        f.write(data)


def almere_excerpt(n_per_group=24):
    """Header plus the first n persons of each group of the Almere cohort."""
    lines = read("data/almere_cohort.csv").splitlines(keepends=True)
    keep, seen = [lines[0]], {}
    for line in lines[1:]:
        g = line.split(",")[2]
        if seen.get(g, 0) < n_per_group:
            seen[g] = seen.get(g, 0) + 1
            keep.append(line)
    return "".join(keep)


# ============================== CSV ==============================

def csv_seeds():
    for path in sorted(glob.glob("tests/data/**/*.csv", recursive=True)):
        text = read(path)
        if len(text.encode("utf-8", "surrogateescape")) <= MAX_SEED:
            put("csv", os.path.basename(path)[:-4], text)
    alm = almere_excerpt()
    put("csv", "almere-excerpt", alm)
    put("csv", "almere-excerpt-nl", "\ufeff" + alm.replace(",", ";").replace(".", ","))
    put("csv", "almere-excerpt-crlf", alm.replace("\n", "\r\n"))
    e2e = read("tests/data/e2e/cohort.csv")
    put("csv", "e2e-tab", e2e.replace(",", "\t"))
    put("csv", "e2e-crlf-bom", "\ufeff" + e2e.replace("\n", "\r\n"))
    put("csv", "e2e-blank-lines", "\n\n" + e2e.replace("\n", "\n\n"))
    put("csv", "e2e-wijk",
        "id,groep,werk,uren,pre,post,wijk\n"
        "P1,pilot,1,2.5,4,2,Haven\nP2,Pilot,0,3.5,5,4,Centrum\nP3,PILOT,1,4.5,6,3,Haven\n"
        "C1,control,0,1.5,4,4,Centrum\nC2,control,1,2,NA,5,Haven\nC3,control,0,1,3,N/A,.\n")
    put("csv", "quoted",
        'id,groep,werk,uren,pre,post\n"P1","pilot",1,"2.5",4,2\n'
        '"P,2",pilot,0,3.5,"5",4\n"P""3",pilot,1,4.5,6,3\n'
        '"C\n1",control,0,1.5,4,4\nC2,control, 1 ,2,3 ,5\nC3,control,0,1,3,2\n')
    put("csv", "unterminated", 'id,groep,werk\nP1,"pilot,1\nP2,pilot,0\n')
    put("csv", "field-count", "id,groep,werk,uren\nP1,pilot,1\nP2,pilot,0,1,2\n")
    put("csv", "header-only", "id;groep;werk;uren;pre;post\r\n")
    put("csv", "empty", "")
    put("csv", "numbers",
        "id,groep,werk,uren,pre,post\n"
        "P1,pilot,1,1e308,-0,0.5e-320\nP2,pilot,0,+3.,.5,1E+2\nP3,pilot,1,0x10,inf,nan\n"
        "C1,control,0,1,2,3\nC2,control,1,1,2,3\n")
    put("csv", "decimal-comma",
        "id;groep;werk;uren;pre;post\nP1;pilot;1;2,5;4;2\nP2;pilot;0;1.234,5;5;4\n"
        "C1;control;0;1,5;4;4\nC2;control;1;3,25;1;\n")
    put("csv", "duplicate-id", "id,groep,werk,uren,post\nP1,pilot,1,1,1\nP1,control,0,1,1\n")
    put("csv", "ambiguous-header", "ID,id,groep,werk,uren,post\n1,2,pilot,1,1,1\n")


# ============================== Models ==============================

def study(model, projects=(), ref="", cohort="", control=""):
    """One model-target input: model.ini, project.ini, project2.ini,
    ref.ini, cohort.csv, control.csv, separated by SPLIT lines."""
    parts = [model, projects[0] if projects else "",
             projects[1] if len(projects) > 1 else "", ref, cohort, control]
    while parts and parts[-1] == "":
        parts.pop()
    out = ""
    for i, p in enumerate(parts):
        if i:
            out += SPLIT
        out += p if (p == "" or p.endswith("\n")) else p + "\n"
    return out


def local(text):
    """Point a real model or scenario at the files of the fuzz input."""
    text = re.sub(r"(?m)^(\s*base\s*=).*$", r"\1 model.ini", text)
    text = re.sub(r"(?m)^(\s*file\s*=).*$", r"\1 cohort.csv", text)
    text = re.sub(r"(?m)^(\s*pilot_file\s*=).*$", r"\1 cohort.csv", text)
    text = re.sub(r"(?m)^(\s*control_file\s*=).*$", r"\1 control.csv", text)
    text = re.sub(r"(?m)^(\s*reference\s*=).*$", r"\1 ref.ini", text)
    return text.replace("../", "")  # the harness skips inputs that climb out


SMALL = """[model]
name = small
horizon = 3
first_year = 2020
price_year = 2020
discount_rate = 3%
discount_timing = mid
stakeholders = city, people

[cohort]
n_pilot = 40
n_control = 50

[effect.work]
estimate = 0.1
se = 0.05

[effect.care]
estimate = -2
distribution = normal(-2 to 1)

[parameters]
on = 0
wage = 1500

[param.share]
value = 0.5
distribution = beta(mean = 0.5, sd = 0.1)

[param.cost]
distribution = lognormal(100 to 300)

[param.hours]
value = 10
distribution = pert(5, 10, 20)

[correlations]
share, hours = 0.4
effect.work, cost = -0.3

[simulation]
draws = 100
seed = 42

[item.work]
kind = benefit
domain = work
stakeholder = people
quantity = on * effect.work * n_pilot * share
price = wage * 12
years = all
dropoff = 0.25

[item.care]
kind = benefit
domain = care
stakeholder = city
quantity = -on * effect.care * n_total
price = cost
years = 1-2

[item.staff]
kind = cost
domain = staff
stakeholder = city
quantity = on * hours * n_pilot
price = max(40, min(60, 45))
years = 1

[item.benefit]
kind = transfer
gainer = city
loser = people
quantity = on * effect.work * n_pilot
price = pow(1.02, 2) * 14000 / 12
years = 2-
"""

SMALL_PROJECT = """[scenario]
name = project
label = The project
base = model.ini
reference = ref.ini

[model]
discount_rate = 1-2: 3%, 3-: 2.5%

[parameters]
on = 1
extra = 2 * wage

[param.hours]
value = 12

[item.staff]
years = 1-2
dropoff = 0.5

[item.training]
kind = cost
domain = implementation
stakeholder = city
quantity = on
price = extra + 1000
years = 1
"""

SMALL_PROJECT2 = """[scenario]
name = variant
base = model.ini
reference = ref.ini

[parameters]
on = 1

[item.training]
kind = cost
domain = implementation
stakeholder = city
quantity = 1
price = 500
years = 1

[item.benefit]
enabled = no
"""

SMALL_REF = """[scenario]
name = ref
label = Regular practice
base = model.ini
"""

TWO_FILES = """[model]
name = two files
horizon = 2
first_year = 2021
price_year = 2021
discount_rate = 0.0225
discount_timing = end
stakeholders = a, b

[stakeholder.a]
label = The municipality

[cohort]
pilot_file = cohort.csv
control_file = control.csv
id_column = id
delimiter = semicolon
decimal = comma
missing = error

[outcome.y]
column = mnd_werk
type = nonneg
method = diff

[outcome.out]
column = uitstroom_werk
type = binary

[item.x]
kind = benefit
stakeholder = a
quantity = effect.y * n_pilot + mean_pilot.y - mean_control.out + se.y
years = 1
"""

DIST_MODEL = """[model]
horizon = 1
first_year = 2020
price_year = 2020
discount_rate = 0
stakeholders = s

[parameters]
p0 = 1

[param.p1]
distribution = normal(10, 2)
[param.p2]
distribution = truncnormal(10, 2, 5, 15)
[param.p3]
distribution = lognormal(mean = 10, sd = 3)
[param.p4]
distribution = gamma(shape = 2, scale = 3)
[param.p5]
distribution = uniform(1, 2)
[param.p6]
distribution = triangular(1, 2, 4)
[param.p7]
distribution = discrete(1: 0.2, 2: 0.3, 5: 0.5)
[param.p8]
distribution = fixed(3)
[param.p9]
distribution = beta(2, 5)

[item.all]
kind = benefit
stakeholder = s
quantity = p0 + p1 + p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9
"""


def model_seeds():
    e2e = {n: read(f"tests/data/e2e/{n}") for n in os.listdir("tests/data/e2e")}
    put("model", "e2e", study(local(e2e["model.ini"]), [local(e2e["project.ini"])],
                              local(e2e["ref.ini"]), e2e["cohort.csv"]))
    put("model", "e2e-nl", study(local(e2e["model_nl.ini"]),
                                 [e2e["project_nl.ini"].replace("model_nl.ini", "model.ini")],
                                 "", e2e["cohort_nl.csv"]))
    put("model", "e2e-model-only", study(local(e2e["model.ini"]), cohort=e2e["cohort.csv"]))
    alm = local(read("models/almere.ini"))
    sc = {os.path.basename(p)[:-4]: local(read(p)) for p in glob.glob("scenarios/*.ini")}
    cohort = almere_excerpt()
    put("model", "almere", study(alm, [sc["almere-pilot"], sc["almere-liaison"]],
                                 sc["almere-regular"], cohort))
    put("model", "almere-2025", study(alm, [sc["almere-pilot-2025"]], sc["almere-regular"],
                                      cohort))
    put("model", "almere-model-only", study(alm, cohort=cohort))
    put("model", "small", study(SMALL, [SMALL_PROJECT, SMALL_PROJECT2], SMALL_REF))
    put("model", "small-ref-is-model",
        study(SMALL, [SMALL_PROJECT.replace("ref.ini", "model.ini")]))
    pil = "id;uitstroom_werk;mnd_werk\np1;1;2,5\np2;0;1\np3;1;4\n"
    con = read("tests/data/cohort_control.csv") + "c3;0;1,5\n"
    put("model", "two-files", study(TWO_FILES, cohort=pil, control=con))
    put("model", "distributions", study(DIST_MODEL))
    put("model", "empty", "")
    put("model", "no-model-section", "[parameters]\na = 1\n")


# ============================== Expressions ==============================

EXPRS = [
    "-2^2", "2^3^2", "min(a, b, x)", "max(a)", "pow(x, 2)", "x^2", "abs(-x) + sqrt(a)",
    "exp(710)", "log(0)", "sqrt(-1)", "a / 0", "0 / 0", ".5 + 5. + 1e-3 + 14000",
    "(a + b) * (x - y_1) / (n_pilot - effect.werk)", "1e308 * 10", "1e", "2 3", "3,5",
    "(a + b * 2", "mean(a)", "min()", "pow(1, 2, 3)", "", "   ", "benfit * 2",
    "effect.werk * se.werk + mean_pilot.werk", "((((((((((a))))))))))",
    "-(-(-(-x)))", "a - b - x - y_1", "a / b / x", "2 * 3 + x", "x * 0",
    "1.2.3", "3x", "effect.", "a ^ -b ^ 2", "log(exp(a)) - a", "max(a, 0/0)",
    "min(0/0, a)", "1e-400", "999999999999999999999999", "x+++++a", "a^b^x^y_1^2",
]


def expr_seeds():
    seen = set()
    key = re.compile(r"^\s*(value|quantity|price|dropoff)\s*=\s*(.+?)\s*$")
    files = sorted(glob.glob("models/*.ini") + glob.glob("scenarios/*.ini") +
                   glob.glob("tests/data/**/*.ini", recursive=True))
    for path in files:
        for line in read(path).splitlines():
            m = key.match(line)
            if m and m.group(2) not in seen:
                seen.add(m.group(2))
                put("expr", "model", m.group(2))
    for e in EXPRS:
        put("expr", "hand", e)
    put("expr", "deep", "(" * 199 + "a" + ")" * 199)
    put("expr", "too-deep", "(" * 201 + "a" + ")" * 201)
    put("expr", "long-sum", " + ".join(["a", "b", "x"] * 300))
    put("expr", "stack", "a * (b * (x * (a * (b * (x * (a + 1) + 1) + 1) + 1) + 1) + 1)")


def main():
    for t in ("csv", "model", "expr"):
        shutil.rmtree(os.path.join(OUT, t), ignore_errors=True)
        os.makedirs(os.path.join(OUT, t))
    csv_seeds()
    model_seeds()
    expr_seeds()


if __name__ == "__main__":
    main()
