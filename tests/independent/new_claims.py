"""Independent recomputation of the new scorecard figures for claims C2 (services side), C5 (asset
values), C6 (services employment) and C7 (job polarisation).

Referee code: every figure is computed straight from the files in the shared snapshot
(``/work/shared/fred-snapshot``) with pandas and statsmodels, never through the project's own
parsers, warehouse or SQL. Each public function takes the snapshot folder and returns plain
dicts / DataFrames, so a test can compare them with the SQL marts.

Files read (all inside the snapshot folder):
- ``raw/FRED-MD_2025-08-vintage.csv``: McCracken-Ng FRED-MD, row 1 ids, row 2 "Transform:" codes,
  then monthly rows dated M/D/YYYY (levels, untransformed).
- ``raw/FRED-QD_2025Q2-vintage.csv``: FRED-QD, row 1 ids, rows 2-3 "factors" / "transform",
  then quarterly rows dated by the quarter's last month (3/1/1959 = 1959Q1).
- ``raw/oews/national_M<year>_dl.xls(x)``: BLS OEWS national workbooks (May of each year;
  2008 and 2013-2024; 2009-2012 are not in the snapshot).
- per-series CSVs in FRED download layout (``observation_date,ID``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

FRED_MD = Path("raw") / "FRED-MD_2025-08-vintage.csv"
FRED_QD = Path("raw") / "FRED-QD_2025Q2-vintage.csv"
OEWS_DIR = Path("raw") / "oews"

# ---------------------------------------------------------------------------------------------
# Readers (each raises a one-line error naming the file and what was wrong)


class SnapshotError(ValueError):
    """Bad or missing input in the snapshot: the message is one line naming file/column/line."""


def _need(path: Path) -> Path:
    if not path.is_file():
        raise SnapshotError(f"{path}: file not found")
    return path


def _numeric(frame: pd.DataFrame, path: Path, first_data_line: int) -> pd.DataFrame:
    """Every cell to float; a non-numeric cell is an error naming file, column and line."""
    out = {}
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna() & (frame[column].astype(str).str.strip() != "")
        if bad.any():
            position = int(np.flatnonzero(bad.to_numpy())[0])
            raise SnapshotError(
                f"{path}: column {column}, line {first_data_line + position}: "
                f"{frame[column].iloc[position]!r} is not a number"
            )
        out[column] = values
    return pd.DataFrame(out, index=frame.index)


def read_fred_md(snapshot: Path) -> pd.DataFrame:
    """The FRED-MD vintage as a float frame indexed by month (PeriodIndex, freq M)."""
    path = _need(snapshot / FRED_MD)
    raw = pd.read_csv(path, dtype=str)
    if raw.columns[0] != "sasdate" or not str(raw.iloc[0, 0]).startswith("Transform"):
        raise SnapshotError(f"{path}: line 2 is not the 'Transform:' row of a FRED-MD file")
    body = raw.iloc[1:].dropna(subset=["sasdate"])
    dates = pd.to_datetime(body["sasdate"], format="%m/%d/%Y", errors="coerce")
    if dates.isna().any():
        line = 3 + int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise SnapshotError(f"{path}: column sasdate, line {line}: not a M/D/YYYY date")
    data = _numeric(body.drop(columns="sasdate"), path, 3)
    data.index = pd.PeriodIndex(dates, freq="M")
    return data


def read_fred_qd(snapshot: Path) -> pd.DataFrame:
    """The FRED-QD vintage as a float frame indexed by quarter (PeriodIndex, freq Q)."""
    path = _need(snapshot / FRED_QD)
    raw = pd.read_csv(path, dtype=str)
    if raw.columns[0] != "sasdate" or list(raw.iloc[:2, 0]) != ["factors", "transform"]:
        raise SnapshotError(f"{path}: lines 2-3 are not the 'factors'/'transform' rows of FRED-QD")
    body = raw.iloc[2:].dropna(subset=["sasdate"])
    dates = pd.to_datetime(body["sasdate"], format="%m/%d/%Y", errors="coerce")
    if dates.isna().any():
        line = 4 + int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise SnapshotError(f"{path}: column sasdate, line {line}: not a M/D/YYYY date")
    data = _numeric(body.drop(columns="sasdate"), path, 4)
    data.index = pd.PeriodIndex(dates, freq="Q")  # 3/1/1959 -> 1959Q1
    return data


def read_series(path: Path) -> pd.Series:
    """A FRED-layout CSV (observation_date,ID) as a float Series indexed by date."""
    path = _need(path)
    frame = pd.read_csv(path, dtype=str)
    if len(frame.columns) != 2 or frame.columns[0] != "observation_date":
        raise SnapshotError(f"{path}: header is not 'observation_date,<ID>'")
    dates = pd.to_datetime(frame["observation_date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        line = 2 + int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise SnapshotError(f"{path}: column observation_date, line {line}: not a YYYY-MM-DD date")
    values = _numeric(frame[[frame.columns[1]]], path, 2).iloc[:, 0]
    values.index = pd.DatetimeIndex(dates)
    return values.dropna()


def _column(frame: pd.DataFrame, name: str, path: Path) -> pd.Series:
    if name not in frame.columns:
        raise SnapshotError(f"{path}: no column {name}")
    return frame[name]


def _full_year_means(monthly: pd.Series, months: int = 12) -> pd.Series:
    """Calendar-year means of a monthly series, only for years with all `months` observed."""
    monthly = monthly.dropna()
    years = monthly.index.year
    counts = monthly.groupby(years).count()
    means = monthly.groupby(years).mean()
    return means[counts >= months]


# ---------------------------------------------------------------------------------------------
# C6: service-providing and manufacturing shares of payrolls (FRED-MD 2025-08)

ERAS = {"1959-1979": (1959, 1979), "1980-2007": (1980, 2007), "2008-latest": (2008, 9999)}


def hac_trend(years: pd.Series | np.ndarray, values: pd.Series | np.ndarray) -> dict[str, float]:
    """OLS slope of `values` on the year with Newey-West (HAC) standard errors.

    Lags: floor(4 (T/100)^(2/9)) (Newey-West 1994 rule of thumb), Bartlett kernel; the 95% CI uses
    the t distribution with T-2 df (use_t=True) because eras have only 20-30 annual points.
    Returned in the units of `values` per decade (slope x 10).
    """
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    n = len(x)
    lags = int(np.floor(4 * (n / 100) ** (2 / 9)))
    model = sm.OLS(y, sm.add_constant(x)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True
    )
    low, high = model.conf_int(alpha=0.05)[1]
    return {
        "n": n,
        "first": int(x.min()),
        "last": int(x.max()),
        "lags": lags,
        "slope_per_decade": 10 * float(model.params[1]),
        "ci_low": 10 * float(low),
        "ci_high": 10 * float(high),
        "se_per_decade": 10 * float(model.bse[1]),
    }


def break_test(
    years: np.ndarray, values: np.ndarray, candidates: range, lags: int | None = None
) -> dict[str, object]:
    """HAC Wald test of a shift in intercept and slope at each candidate break year.

    Model: y = a + b t + c D + d D t, D = 1 from the break year on; H0: c = d = 0 (2 restrictions,
    chi-square). Reports the Wald statistic at each candidate and the sup over the window; the sup
    is compared with Andrews' (1993) 5% critical value for 2 restrictions and 15% trimming, 11.79
    (conservative for our narrower window). Caveat: the shares are very persistent, so even HAC
    Wald statistics overstate significance; read the result as descriptive.
    """
    t = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    n = len(t)
    lags = lags if lags is not None else int(np.floor(4 * (n / 100) ** (2 / 9)))
    stats: dict[int, float] = {}
    for year in candidates:
        d = (t >= year).astype(float)
        centred = t - year  # centring keeps the intercept shift the jump at the break
        exog = np.column_stack([np.ones(n), centred, d, d * centred])
        fit = sm.OLS(y, exog).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
        r = np.array([[0, 0, 1, 0], [0, 0, 0, 1]], dtype=float)
        stats[year] = float(np.asarray(fit.wald_test(r, scalar=True).statistic).squeeze())
    best = max(stats, key=stats.__getitem__)
    return {
        "sample": f"{int(t.min())}-{int(t.max())}",
        "lags": lags,
        "wald_by_year": stats,
        "sup_wald": stats[best],
        "sup_year": best,
        "andrews_5pct_cv": 11.79,
    }


def c6_payroll_shares(snapshot: Path) -> dict[str, object]:
    """Service-providing and manufacturing shares of nonfarm payrolls, annual, FRED-MD 2025-08.

    Definition: share_Y = mean over the 12 months of year Y of SRVPRD / mean of PAYEMS (ratio of
    annual averages, i.e. employment-weighted), in percent. Only complete calendar years count, so
    the latest year is 2024 (the vintage ends 2025-08). Manufacturing: MANEMP / PAYEMS alike.
    Source: raw/FRED-MD_2025-08-vintage.csv columns SRVPRD, MANEMP, PAYEMS (thousands of persons,
    SA, levels as stored). Published reference (CLAIMS.md orientation): services 72.2% (1979) ->
    86.3% (2024); manufacturing 21.6% -> 8.1%.
    Era slopes: OLS of the annual share (percent) on the year, in percentage points per decade,
    Newey-West HAC 95% CI (see hac_trend), eras 1959-1979, 1980-2007, 2008-2024.
    Break test: HAC Wald for a joint intercept+slope shift at each year 1975-1985 on the 1959-2007
    sample (before the 2008 era, so only one break is in the window); see break_test.
    """
    md = read_fred_md(snapshot)
    path = snapshot / FRED_MD
    payems = _full_year_means(_column(md, "PAYEMS", path))
    srv = _full_year_means(_column(md, "SRVPRD", path))
    man = _full_year_means(_column(md, "MANEMP", path))
    annual = pd.DataFrame(
        {"services_pct": 100 * srv / payems, "manufacturing_pct": 100 * man / payems}
    ).dropna()
    annual.index.name = "year"
    first, last = int(annual.index.min()), int(annual.index.max())
    eras = {}
    for measure in ("services_pct", "manufacturing_pct"):
        for name, (lo, hi) in ERAS.items():
            part = annual.loc[lo:hi, measure]
            eras[(measure, name)] = hac_trend(part.index.to_numpy(), part.to_numpy())
    pre = annual.loc[:2007]
    breaks = {
        measure: break_test(pre.index.to_numpy(), pre[measure].to_numpy(), range(1975, 1986))
        for measure in ("services_pct", "manufacturing_pct")
    }
    return {
        "annual": annual,
        "first_year": first,
        "last_year": last,
        "services_1979": float(annual.loc[1979, "services_pct"]),
        "services_2024": float(annual.loc[2024, "services_pct"]),
        "services_first": float(annual.loc[first, "services_pct"]),
        "manufacturing_1979": float(annual.loc[1979, "manufacturing_pct"]),
        "manufacturing_2024": float(annual.loc[2024, "manufacturing_pct"]),
        "manufacturing_first": float(annual.loc[first, "manufacturing_pct"]),
        "eras": eras,
        "breaks": breaks,
    }


# ---------------------------------------------------------------------------------------------
# OEWS national workbooks

OEWS_YEARS = (2008, *range(2013, 2025))
HOURS_PER_YEAR = 2080  # OEWS's own annual = hourly x 2080 convention
_MARKERS = {"*", "**", "#", "~", ""}


def oews_path(snapshot: Path, year: int) -> Path:
    for ext in ("xlsx", "xls"):
        path = snapshot / OEWS_DIR / f"national_M{year}_dl.{ext}"
        if path.is_file():
            return path
    raise SnapshotError(f"{snapshot / OEWS_DIR}: no national_M{year}_dl.xls(x)")


def _oews_number(values: pd.Series, path: Path, column: str, codes: pd.Series) -> pd.Series:
    """Text cells to float: '*' '**' '~' blank -> NaN, '#' (top-coded) -> NaN; else an error."""
    text = values.astype(str).str.strip().str.replace(",", "", regex=False)
    text = text.where(values.notna(), "")
    number = pd.to_numeric(text.where(~text.isin(_MARKERS)), errors="coerce")
    bad = number.isna() & ~text.isin(_MARKERS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise SnapshotError(
            f"{path}: column {column}, SOC {codes.iloc[i]}: {values.iloc[i]!r} is neither a "
            "number nor a published marker (*, **, #, ~)"
        )
    return number


def read_oews(snapshot: Path, year: int) -> pd.DataFrame:
    """One national OEWS workbook as a tidy frame, read with pandas + calamine.

    Columns: code (NN-NNNN), title (whitespace collapsed), group ('total', 'major', 'minor',
    'broad', 'detailed'), emp, h_mean, a_mean, h_median, h_median_topcoded. Quirks handled:
    lower-case headers and space-padded text numbers (2008, 2019); the 2008 file has no
    minor/broad rows and leaves the group blank for detailed occupations and the total; the
    2024 file carries AREA/NAICS/I_GROUP columns (kept: national, cross-industry only).
    """
    path = oews_path(snapshot, year)
    try:
        frame = pd.read_excel(path, sheet_name=0, engine="calamine", dtype=str)
    except Exception as exc:  # one line naming the file, whatever the reader raised
        raise SnapshotError(f"{path}: not a readable workbook ({type(exc).__name__})") from exc
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    group_col = next((c for c in ("O_GROUP", "OCC_GROUP", "GROUP") if c in frame.columns), None)
    for needed in ("OCC_CODE", "OCC_TITLE", "TOT_EMP", "H_MEAN", "A_MEAN", "H_MEDIAN"):
        if needed not in frame.columns:
            raise SnapshotError(f"{path}: no column {needed}")
    if group_col is None:
        raise SnapshotError(f"{path}: no column O_GROUP / OCC_GROUP / GROUP")
    if "I_GROUP" in frame.columns:
        frame = frame[frame["I_GROUP"].str.strip().str.lower() == "cross-industry"]
    if "AREA_TYPE" in frame.columns:
        frame = frame[frame["AREA_TYPE"].str.strip() == "1"]
    frame = frame[frame["OCC_CODE"].notna()]
    codes = frame["OCC_CODE"].str.strip()
    bad = ~codes.str.fullmatch(r"\d{2}-\d{4}")
    if bad.any():
        raise SnapshotError(f"{path}: column OCC_CODE has a bad code {codes[bad].iloc[0]!r}")
    group = frame[group_col].fillna("").str.strip().str.lower()
    if year == 2008:  # blank group = detailed occupation, except the all-occupations total
        group = group.where(group != "", "detailed").where(codes != "00-0000", "total")
    median_text = frame["H_MEDIAN"].fillna("").astype(str).str.strip()
    out = pd.DataFrame(
        {
            "code": codes.to_numpy(),
            "title": frame["OCC_TITLE"].fillna("").str.split().str.join(" ").to_numpy(),
            "group": group.to_numpy(),
            "emp": _oews_number(frame["TOT_EMP"], path, "TOT_EMP", codes).to_numpy(),
            "h_mean": _oews_number(frame["H_MEAN"], path, "H_MEAN", codes).to_numpy(),
            "a_mean": _oews_number(frame["A_MEAN"], path, "A_MEAN", codes).to_numpy(),
            "h_median": _oews_number(frame["H_MEDIAN"], path, "H_MEDIAN", codes).to_numpy(),
            "h_median_topcoded": (median_text == "#").to_numpy(),
        }
    )
    # A code listed as both broad and detailed (2017 on): keep the detailed row.
    order = out["group"].map({"detailed": 0, "broad": 1, "minor": 2, "major": 3, "total": 4})
    out = out.assign(_o=order.fillna(5)).sort_values(["code", "_o"])
    out = out.drop_duplicates("code").drop(columns="_o").reset_index(drop=True)
    if (out["code"] == "00-0000").sum() != 1:
        raise SnapshotError(f"{path}: column OCC_CODE has no 00-0000 (all occupations) row")
    return out


def _total(book: pd.DataFrame) -> pd.Series:
    return book.loc[book["code"] == "00-0000"].iloc[0]


def c6_oews_groups(
    snapshot: Path, groups: tuple[str, ...] = ("39-0000", "31-0000")
) -> pd.DataFrame:
    """Employment share and relative wage of SOC major groups, each OEWS year in the snapshot.

    Definition: emp_share = TOT_EMP(major group) / TOT_EMP(00-0000); rel_wage = H_MEAN(major
    group) / H_MEAN(00-0000), both from the same national workbook (May of the year). Source:
    raw/oews/national_M<year>_dl.xls(x), columns OCC_CODE, TOT_EMP, H_MEAN. Also the combined
    31+39 share, which is invariant to the SOC 2018 move of personal care aides (39-9021 under
    SOC 2010) into healthcare support (31-1122, in 31-1120 "Home health and personal care aides"),
    visible from the 2019-2021 files: the separate 31 and 39 shares jump there by construction.
    The combined row's wage is the employment-weighted mean of the two groups' H_MEAN.
    No published reference; OEWS excludes the self-employed.
    """
    rows = []
    for year in OEWS_YEARS:
        book = read_oews(snapshot, year)
        total = _total(book)
        combined = 0.0
        combined_emp = 0.0
        combined_pay = 0.0  # employment x mean hourly wage, for the combined mean
        for code in groups:
            row = book.loc[book["code"] == code]
            if row.empty:
                raise SnapshotError(f"{oews_path(snapshot, year)}: column OCC_CODE has no {code}")
            row = row.iloc[0]
            share = row["emp"] / total["emp"]
            combined += share
            combined_emp += row["emp"]
            combined_pay += row["emp"] * row["h_mean"]
            rows.append(
                {
                    "year": year,
                    "code": code,
                    "title": row["title"],
                    "emp": row["emp"],
                    "emp_share": share,
                    "h_mean": row["h_mean"],
                    "rel_wage": row["h_mean"] / total["h_mean"],
                }
            )
        rows.append(
            {
                "year": year,
                "code": "+".join(groups),
                "title": "combined",
                "emp": combined_emp,
                "emp_share": combined,
                "h_mean": combined_pay / combined_emp,
                "rel_wage": combined_pay / combined_emp / total["h_mean"],
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# C7: polarisation by base-year wage quintile


def title_key(title: str) -> str:
    """Lower case, punctuation to spaces, spaces collapsed: 'Barbers' == 'barbers'."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", title.lower()).split())


def _ranking_wage(book: pd.DataFrame, measure: str) -> pd.Series:
    """Hourly wage used to rank. 'mean': H_MEAN, or A_MEAN / 2080 where BLS publishes only an
    annual wage (teachers and others paid by the year); 'median': H_MEDIAN (top-coded '#' cells are
    set to +inf so they rank at the top; annual-only occupations stay unranked)."""
    if measure == "mean":
        return book["h_mean"].fillna(book["a_mean"] / HOURS_PER_YEAR)
    if measure == "median":
        return book["h_median"].where(~book["h_median_topcoded"], np.inf)
    raise ValueError(f"measure must be 'mean' or 'median', not {measure!r}")


def read_extra_links(path: Path) -> pd.DataFrame:
    """A hand-written crosswalk CSV (base_code,end_code,note) for recodes the title rule misses."""
    frame = pd.read_csv(_need(path), dtype=str)
    for column in ("base_code", "end_code"):
        if column not in frame.columns:
            raise SnapshotError(f"{path}: no column {column}")
        bad = ~frame[column].fillna("").str.fullmatch(r"\d{2}-\d{4}")
        if bad.any():
            line = 2 + int(np.flatnonzero(bad.to_numpy())[0])
            raise SnapshotError(f"{path}: column {column}, line {line}: not a NN-NNNN SOC code")
    return frame


def link_occupations(
    base: pd.DataFrame, end: pd.DataFrame, extra_links: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Links detailed base-year occupations to detailed end-year occupations.

    Rule: (1) same code in both years -> linked 'code'; (2) otherwise a code whose normalised
    title (title_key) is identical to an end-year detailed title not already linked by code ->
    linked 'title'. (3) Optionally, for codes still unlinked, `extra_links` rows (base_code,
    end_code) where both are detailed occupations of the two files -> linked 'crosswalk' (a
    labelled variant, not the default rule). Everything else is unlinked (reported, never
    dropped). Returns one row per pair (base_code, end_code, how) plus base rows with end_code NaN
    for unlinked ones.
    """
    b = base[base["group"] == "detailed"]
    e = end[end["group"] == "detailed"]
    end_codes = set(e["code"])
    by_code = b[b["code"].isin(end_codes)]
    pairs = [(c, c, "code") for c in by_code["code"]]
    taken = set(by_code["code"])
    free_titles = e[~e["code"].isin(taken)].assign(key=lambda f: f["title"].map(title_key))
    title_to_code = free_titles.groupby("key")["code"].apply(list).to_dict()
    for _, row in b[~b["code"].isin(end_codes)].iterrows():
        for code in title_to_code.get(title_key(row["title"]), []):
            pairs.append((row["code"], code, "title"))
    if extra_links is not None:
        done = {p[0] for p in pairs}
        base_codes = set(b["code"])
        for base_code, end_code in extra_links[["base_code", "end_code"]].itertuples(index=False):
            if base_code in base_codes and base_code not in done and end_code in end_codes:
                pairs.append((base_code, end_code, "crosswalk"))
    linked = pd.DataFrame(pairs, columns=["base_code", "end_code", "how"])
    unlinked = b.loc[~b["code"].isin(linked["base_code"]), ["code"]].rename(
        columns={"code": "base_code"}
    )
    return pd.concat([linked, unlinked.assign(end_code=np.nan, how="unlinked")], ignore_index=True)


def _components(pairs: pd.DataFrame) -> dict[str, int]:
    """Union-find over base and end codes, so a merge or split becomes one unit."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for base_code, end_code in pairs[["base_code", "end_code"]].itertuples(index=False):
        a = find("b:" + base_code)
        b = find("e:" + end_code)
        if a != b:
            parent[a] = b
    roots: dict[str, int] = {}
    return {node: roots.setdefault(find(node), len(roots)) for node in list(parent)}


def polarisation(
    snapshot: Path,
    base_year: int,
    end_year: int = 2024,
    bins: int = 5,
    measure: str = "mean",
    extra_links: pd.DataFrame | None = None,
) -> dict[str, object]:
    """Change in employment share by base-year wage quantile (quintiles: bins=5, deciles: 10).

    Definition:
    1. Detailed occupations of the base-year and end-year national OEWS workbooks are linked
       (link_occupations: same code, else identical normalised title); linked codes that merge or
       split are joined into one unit (union-find), so no employment is counted twice.
    2. A unit's base wage = employment-weighted mean of its base occupations' ranking wage
       (default 'mean': H_MEAN, A_MEAN/2080 where only annual is published; see _ranking_wage).
    3. Units are sorted by base wage; cumulative base-year employment is divided into `bins`
       equal parts and a unit goes, whole, to the part holding the midpoint of its employment
       (units are not split, so base-year quantile shares are close to, not exactly, 1/bins).
    4. share_q(year) = employment of the quantile's units in that year / TOT_EMP of 00-0000 in
       that year (all occupations, the published total). Employment not in any linked and
       ranked unit is 'unassigned'; so sum_q change_q = unassigned(base) - unassigned(end).
       Variant column change_pp_within_linked: shares of linked-and-ranked employment instead
       (sums to zero); use it to see whether the unlinked employment drives the pattern.
    Caveat measured on the snapshot: the title rule leaves 13.6% of 2008 (12.4% of 2013)
    employment unlinked, mostly large LOW-wage SOC 2010->2018 recodes (fast food 35-3021,
    stock clerks 43-5081, teacher assistants 25-9041, nursing aides 31-1012, home health and
    personal care aides 31-1011/39-9021), which biases quintile 1's change downward.
    Variant extra_links (tests/fixtures/indep2/soc_extra_links.csv, hand-written from the SOC
    2010->2018 and 2000->2010 recodes): links those large recodes too; NOT the default rule.
    Source: raw/oews/national_M<year>_dl.xls(x), OCC_CODE, OCC_TITLE, group column, TOT_EMP,
    H_MEAN, A_MEAN, H_MEDIAN. Reference (pattern, not numbers): Autor & Dorn 2013, Acemoglu &
    Autor 2011 (U-shaped employment-share changes by skill percentile, 1980-2005).
    """
    base = read_oews(snapshot, base_year)
    end = read_oews(snapshot, end_year)
    pairs = link_occupations(base, end, extra_links)
    linked = pairs[pairs["how"] != "unlinked"]
    unit_of = _components(linked)
    base_det = base[base["group"] == "detailed"].assign(wage=_ranking_wage(base, measure))
    end_det = end[end["group"] == "detailed"]
    base_det = base_det.assign(unit=base_det["code"].map(lambda c: unit_of.get("b:" + c)))
    end_det = end_det.assign(unit=end_det["code"].map(lambda c: unit_of.get("e:" + c)))
    base_total = float(_total(base)["emp"])
    end_total = float(_total(end)["emp"])

    ranked = base_det.dropna(subset=["unit", "wage", "emp"])
    units = ranked.groupby("unit").apply(
        lambda g: pd.Series(
            {
                "base_emp": g["emp"].sum(),
                "wage": np.average(np.minimum(g["wage"], 1e9), weights=g["emp"]),
                "n_base": len(g),
            }
        ),
        include_groups=False,
    )
    units["end_emp"] = end_det.dropna(subset=["unit", "emp"]).groupby("unit")["emp"].sum()
    units["end_emp"] = units["end_emp"].fillna(0.0)
    units = units.sort_values("wage", kind="mergesort")
    cum = units["base_emp"].cumsum()
    midpoint = (cum - units["base_emp"] / 2) / units["base_emp"].sum()
    units["bin"] = np.minimum((midpoint * bins).astype(int) + 1, bins)
    table = units.groupby("bin").agg(
        base_emp=("base_emp", "sum"), end_emp=("end_emp", "sum"), units=("wage", "size")
    )
    table["wage_low"] = units.groupby("bin")["wage"].min()
    table["wage_high"] = units.groupby("bin")["wage"].max()
    table["base_share"] = table["base_emp"] / base_total
    table["end_share"] = table["end_emp"] / end_total
    table["change_pp"] = 100 * (table["end_share"] - table["base_share"])
    # Variant: shares of linked-and-ranked employment only (each year's quantiles sum to 1), so
    # the change is not driven by how much employment the links miss in each year.
    table["change_pp_within_linked"] = 100 * (
        table["end_emp"] / table["end_emp"].sum() - table["base_emp"] / table["base_emp"].sum()
    )

    n_by_how = pairs["how"].value_counts().to_dict()
    unlinked_codes = pairs.loc[pairs["how"] == "unlinked", "base_code"]
    unlinked_emp = base_det.loc[base_det["code"].isin(unlinked_codes), "emp"].sum()
    unranked_emp = base_det.loc[
        base_det["unit"].notna() & base_det["wage"].isna(), "emp"
    ].sum()  # linked but no wage: not in any quantile
    end_unlinked_emp = end_det.loc[end_det["unit"].isna(), "emp"].sum()
    code_links = pairs[pairs["how"] == "code"]
    title_changed = code_links.merge(
        base[["code", "title"]], left_on="base_code", right_on="code"
    ).merge(end[["code", "title"]], left_on="end_code", right_on="code", suffixes=("_b", "_e"))
    title_changed = title_changed[
        title_changed["title_b"].map(title_key) != title_changed["title_e"].map(title_key)
    ]
    unassigned_base = 1 - table["base_share"].sum()
    unassigned_end = 1 - table["end_share"].sum()
    middle = table.loc[2 : bins - 1, "change_pp"].sum() if bins == 5 else None
    return {
        "base_year": base_year,
        "end_year": end_year,
        "bins": bins,
        "measure": measure,
        "table": table,
        "links": n_by_how,
        "unlinked_base_emp_share": float(unlinked_emp / base_total),
        "unranked_base_emp_share": float(unranked_emp / base_total),
        "unassigned_base_share": float(unassigned_base),
        "unassigned_end_share": float(unassigned_end),
        "end_not_linked_emp_share": float(end_unlinked_emp / end_total),
        "code_links_with_changed_title": len(title_changed),
        "unlinked_base_occupations": base_det.loc[
            base_det["code"].isin(unlinked_codes), ["code", "title", "emp"]
        ].sort_values("emp", ascending=False),
        "middle_q2_q4_change_pp": None if middle is None else float(middle),
    }


def polarisation_verdict(result: dict[str, object]) -> dict[str, object]:
    """Does the middle lose share relative to both tails? (quintiles only)

    'Middle' = quintiles 2-4 (each one's change) and, separately, quintile 3; 'relative to both
    tails' = the middle's change in share (pp) is below the change of quintile 1 AND of quintile 5.
    Changes are compared per quintile (the quintiles hold about equal base employment).
    """
    table = result["table"]
    change = table["change_pp"]
    avg_middle = float(change.loc[2:4].mean())
    return {
        "q1": float(change.loc[1]),
        "q5": float(change.loc[5]),
        "q3": float(change.loc[3]),
        "middle_avg_q2_q4": avg_middle,
        "middle_below_both_tails": bool(avg_middle < change.loc[1] and avg_middle < change.loc[5]),
        "q3_below_both_tails": bool(
            change.loc[3] < change.loc[1] and change.loc[3] < change.loc[5]
        ),
        "top_fell": bool(change.loc[5] < 0),
    }


# ---------------------------------------------------------------------------------------------
# C5: household net worth / disposable income; nonfinancial corporate net worth / GDP (FRED-QD)


def c5_asset_values(snapshot: Path, start: str = "1979Q1") -> dict[str, object]:
    """Asset-value ratios from the FRED-QD 2025Q2 vintage, `start` -> latest quarter.

    Household net worth / disposable personal income (percent):
      nominal NW = TNWBSHNOx x PCEPILFE / 100 (FRED-QD appendix: TNWBSHNOx is Z.1 household and
      nonprofit net worth, billions of 2017 dollars, DEFLATED BY CORE PCE, PCEPILFE);
      nominal DPI = DPIC96 x PCECTPI / 100 (BEA real DPI is nominal DPI deflated by the PCE
      chain-type price index). FRED-QD has no nominal DPI column.
      ratio = 100 x nominal NW / nominal DPI. Cross-check: the file's own ratio column NWPIx
      (appendix: "net worth relative to disposable personal income, percent") equals
      100 x TNWBSHNOx / DPIC96 to 2e-4 in every quarter, i.e. FRED-QD builds it from the two
      real columns, which carry DIFFERENT deflators (core PCE vs PCE), so NWPIx is off the
      nominal ratio by the factor PCECTPI/PCEPILFE (within about +-4%). Both are returned.
      External check: 2025Q2 nominal NW = 140,133 x 1.258 = $176.3 trillion, the level the Fed's
      Z.1 release for 2025Q2 reported (stated from memory; not verifiable offline).
    Nonfinancial corporate net worth (market value) / nominal GDP (percent):
      nominal = TNWMVBSNNCBx x IPDBS / 100 (appendix: deflated by the business-sector implicit
      price deflator IPDBS); nominal GDP = GDPC1 x GDPCTPI / 100 (same vintage; within 0.5% of
      FRED GDP in the snapshot's fred_2025-09/GDP.csv). TNWMVBSNNCB is the sector's net worth
      at market value (assets at market less liabilities), NOT the market value of its equity
      (MVEONWMVBSNNCB), which is not in the snapshot. The file's TNWMVBSNNCBBDIx equals
      100 x TNWMVBSNNCBx / CNCFx (both IPDBS-deflated, so consistent); it is relative to
      disposable business income, not GDP.
    """
    qd = read_fred_qd(snapshot)
    path = snapshot / FRED_QD
    col = {c: _column(qd, c, path) for c in (
        "TNWBSHNOx", "NWPIx", "DPIC96", "PCEPILFE", "PCECTPI",
        "TNWMVBSNNCBx", "IPDBS", "GDPC1", "GDPCTPI", "TNWMVBSNNCBBDIx", "CNCFx",
    )}  # fmt: skip
    nw = col["TNWBSHNOx"] * col["PCEPILFE"] / 100
    dpi = col["DPIC96"] * col["PCECTPI"] / 100
    corp = col["TNWMVBSNNCBx"] * col["IPDBS"] / 100
    gdp = col["GDPC1"] * col["GDPCTPI"] / 100
    frame = pd.DataFrame(
        {
            "hh_nw_dpi_pct": 100 * nw / dpi,
            "nwpix_pct": col["NWPIx"],
            "nwpix_rebuilt_pct": 100 * col["TNWBSHNOx"] / col["DPIC96"],
            "nfc_nw_gdp_pct": 100 * corp / gdp,
            "nfc_nw_bdi_pct": col["TNWMVBSNNCBBDIx"],
            "nfc_nw_bdi_rebuilt_pct": 100 * col["TNWMVBSNNCBx"] / col["CNCFx"],
            "hh_nw_nominal_bn": nw,
            "nfc_nw_nominal_bn": corp,
            "gdp_nominal_bn": gdp,
        }
    ).loc[pd.Period(start, "Q") :]
    frame = frame.dropna(subset=["hh_nw_dpi_pct", "nfc_nw_gdp_pct"])
    first, last = frame.index[0], frame.index[-1]
    return {
        "series": frame,
        "first": str(first),
        "last": str(last),
        "hh_first": float(frame.loc[first, "hh_nw_dpi_pct"]),
        "hh_last": float(frame.loc[last, "hh_nw_dpi_pct"]),
        "nwpix_first": float(frame.loc[first, "nwpix_pct"]),
        "nwpix_last": float(frame.loc[last, "nwpix_pct"]),
        "nfc_first": float(frame.loc[first, "nfc_nw_gdp_pct"]),
        "nfc_last": float(frame.loc[last, "nfc_nw_gdp_pct"]),
        "nwpix_max_abs_gap_to_rebuilt": float(
            (frame["nwpix_pct"] - frame["nwpix_rebuilt_pct"]).abs().max()
        ),
    }


# ---------------------------------------------------------------------------------------------
# C2, services side: personal care time price and relative prices


def c2_services(snapshot: Path, base_year: int = 2000) -> dict[str, object]:
    """Time price and relative prices of personal care services since `base_year`.

    Haircuts (CUUR0000SEGC01) are NOT in the snapshot (SOURCES.md); the closest index is
    CUUR0000SEGC, personal care services (NSA, monthly, to 2023-11), a broader category.
    - Time price index = (SEGC_Y / SEGC_base) / (AHETPI_Y / AHETPI_base), annual averages of
      complete calendar years only (SEGC's last complete year is 2022), i.e. the change in the hours
      of production/nonsupervisory average hourly earnings (AHETPI.csv, SA) needed to buy the same
      personal care services. Also given Jan-Nov 2023 vs Jan-Nov base year, as a labelled variant.
    - Relative to TVs: SEGC annual average / CUSR0000SERA01 annual average (televisions, SA,
      Jan 2000 = 100, 2000-2019, cpi_items_jan2000_base/), 2000 -> 2019 (last TV year). Mixing an
      NSA with an SA index is harmless for annual averages.
    - Relative to all items: SEGC / CPIAUCSL (SA, top-level CPIAUCSL.csv); relative to goods:
      SEGC / CUSR0000SAC (CPI commodities, SA, FRED-MD 2025-08 column), same years as the time price.
    - Barber wage: OEWS 39-5011 national mean hourly wage (H_MEAN, May of the year, read from the
      workbooks) / AHETPI of May of the same year, 2008 and 2024, and each wage's growth.
    Published references: Perry's chart (TVs about -97% 2000-2020 in CPI; services up);
    OEWS barbers: national mean $11.88 (May 2005; not in the snapshot), median $17.38 (May 2023).
    """
    segc = read_series(snapshot / "CUUR0000SEGC.csv")
    ahe = read_series(snapshot / "AHETPI.csv")
    tv = read_series(snapshot / "cpi_items_jan2000_base" / "CUSR0000SERA01.csv")
    cpi = read_series(snapshot / "CPIAUCSL.csv")
    md = read_fred_md(snapshot)
    goods = _column(md, "CUSR0000SAC", snapshot / FRED_MD)
    goods.index = goods.index.to_timestamp()

    segc_y, ahe_y, tv_y = _full_year_means(segc), _full_year_means(ahe), _full_year_means(tv)
    cpi_y, goods_y = _full_year_means(cpi), _full_year_means(goods)
    common = sorted(set(segc_y.index) & set(ahe_y.index))
    last = max(common)
    tp = (segc_y / segc_y[base_year]) / (ahe_y / ahe_y[base_year])

    def jan_nov(series: pd.Series, year: int) -> float:
        part = series[(series.index.year == year) & (series.index.month <= 11)]
        if len(part) != 11:
            raise SnapshotError(f"{year}: expected 11 months Jan-Nov, found {len(part)}")
        return float(part.mean())

    tp_2023 = (jan_nov(segc, 2023) / jan_nov(segc, base_year)) / (
        jan_nov(ahe, 2023) / jan_nov(ahe, base_year)
    )
    tv_last = int(max(set(segc_y.index) & set(tv_y.index)))
    rel_tv = (segc_y / tv_y).dropna()
    rel_cpi = (segc_y / cpi_y).dropna()
    rel_goods = (segc_y / goods_y).dropna()

    barber = {}
    for year in (2008, 2024):
        book = read_oews(snapshot, year)
        row = book.loc[book["code"] == "39-5011"]
        if row.empty:
            raise SnapshotError(f"{oews_path(snapshot, year)}: column OCC_CODE has no 39-5011")
        may = ahe[(ahe.index.year == year) & (ahe.index.month == 5)]
        barber[year] = {
            "barber_h_mean": float(row.iloc[0]["h_mean"]),
            "ahetpi_may": float(may.iloc[0]),
        }
    b0, b1 = barber[2008], barber[2024]
    return {
        "base_year": base_year,
        "last_full_year": int(last),
        "time_price_change_pct": 100 * (float(tp[last]) - 1),
        "time_price_change_jan_nov_2023_pct": 100 * (tp_2023 - 1),
        "segc_change_pct": 100 * float(segc_y[last] / segc_y[base_year] - 1),
        "ahetpi_change_pct": 100 * float(ahe_y[last] / ahe_y[base_year] - 1),
        "tv_last_year": tv_last,
        "rel_tv_change_pct": 100 * float(rel_tv[tv_last] / rel_tv[base_year] - 1),
        "rel_tv_factor": float(rel_tv[tv_last] / rel_tv[base_year]),
        "tv_change_pct": 100 * float(tv_y[tv_last] / tv_y[base_year] - 1),
        "rel_cpi_change_pct": 100 * float(rel_cpi[last] / rel_cpi[base_year] - 1),
        "rel_goods_change_pct": 100 * float(rel_goods[last] / rel_goods[base_year] - 1),
        "barber": barber,
        "barber_growth_pct": 100 * (b1["barber_h_mean"] / b0["barber_h_mean"] - 1),
        "ahetpi_may_growth_pct": 100 * (b1["ahetpi_may"] / b0["ahetpi_may"] - 1),
        "barber_to_ahetpi_2008": b0["barber_h_mean"] / b0["ahetpi_may"],
        "barber_to_ahetpi_2024": b1["barber_h_mean"] / b1["ahetpi_may"],
    }
