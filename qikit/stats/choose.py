"""Which control chart? The decision tree of Provost & Murray, *The Health Care Data Guide* (2011),
chapter 5 (Figure 5.1, "Selecting the type of Shewhart chart"), as a function that returns the chart
and the reason, so a trainee sees why."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import QIDataError

DATA_TYPES = {
    "measurement": "measurement",  # continuous data: times, weights, blood pressures, lengths of stay
    "continuous": "measurement",
    "variables": "measurement",
    "classification": "classification",  # each case is yes/no: a proportion (attribute, nonconforming)
    "proportion": "classification",
    "count": "count",  # events counted in an area of opportunity (falls, infections, errors)
    "rare": "rare",  # rare events: count the cases or days between them
}

@dataclass(frozen=True)
class ChartChoice:
    """A recommended chart: ``chart`` is the name to pass to :func:`qikit.spc`."""

    chart: str
    reason: str
    companion: str | None = None  # a chart to show alongside (mr with i, s with xbar)

    def __str__(self) -> str:
        return f"{self.chart}: {self.reason}"


def choose_chart(data_type: str, subgroup_size: int | None = None, equal_opportunity: bool | None = None,
                 rare_events: bool = False, large_denominators: bool = False,
                 between: str = "cases") -> ChartChoice:
    """Recommend a chart type following Provost & Murray's decision tree.

    Parameters
    ----------
    data_type : {"measurement", "classification", "count", "rare"}
        Measurement (continuous) data; classification data (each case counted as yes or no, giving a
        proportion); counts of events in an area of opportunity; or rare events.
    subgroup_size : int, optional
        For measurement data: how many measurements form each plotted point (1 = individual values).
    equal_opportunity : bool, optional
        For counts: is the area of opportunity (bed-days, patients, theatre hours) the same for every point?
    rare_events : bool
        The events are so rare that most periods have none: chart the gap between events instead.
    large_denominators : bool
        Denominators are very large (over about 1,000 per point), so p or u limits would be too narrow.
    between : {"cases", "days"}
        For rare events: are gaps measured in cases (g chart) or in time (t chart)?

    Examples
    --------
    >>> choose_chart("classification").chart
    'p'
    >>> choose_chart("count", equal_opportunity=False).chart
    'u'
    >>> choose_chart("measurement", subgroup_size=1).chart
    'i'
    """
    kind = DATA_TYPES.get(str(data_type).lower())
    if kind is None:
        raise QIDataError(f"data_type={data_type!r}: choose one of measurement, classification, count or rare.",
                          column="data_type")
    if kind == "rare" or rare_events:
        if between not in ("cases", "days"):
            raise QIDataError("between must be 'cases' or 'days'.", column="between")
        if between == "days":
            return ChartChoice("t", "the events are rare, so chart the time between them (days between "
                                    "events): a t chart.")
        return ChartChoice("g", "the events are rare, so chart the number of cases (or procedures) between "
                                "them: a g chart.")
    if kind == "measurement":
        if subgroup_size is None or subgroup_size < 1:
            raise QIDataError("for measurement data give subgroup_size: how many measurements make each point "
                              "(1 for single values).", column="subgroup_size")
        if subgroup_size == 1:
            return ChartChoice("i", "measurement data with one value per point: an I chart (individuals), "
                                    "shown with its moving range chart.", companion="mr")
        return ChartChoice("xbar", f"measurement data in subgroups of {subgroup_size}: an Xbar chart of the "
                                   "subgroup averages with an S chart of their spread.", companion="s")
    if kind == "classification":
        if large_denominators:
            return ChartChoice("pp", "a proportion with very large denominators: the p chart's limits would be "
                                     "too narrow, so use Laney's p' chart.")
        return ChartChoice("p", "each case is counted as yes or no, giving a proportion: a p chart (its limits "
                                "widen when the denominator is small).")
    if equal_opportunity is None:
        raise QIDataError("for counts say whether the area of opportunity (patients, bed-days) is the same for "
                          "every point: equal_opportunity=True or False.", column="equal_opportunity")
    if large_denominators:
        return ChartChoice("up", "a rate with very large denominators: the u chart's limits would be too narrow, "
                                 "so use Laney's u' chart.")
    if equal_opportunity:
        return ChartChoice("c", "counts of events with the same area of opportunity each time: a c chart.")
    return ChartChoice("u", "counts of events where the area of opportunity varies: a u chart of the rate "
                            "(events per unit of opportunity).")
