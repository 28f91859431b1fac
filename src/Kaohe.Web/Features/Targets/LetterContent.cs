using System.Globalization;
using System.Text.Json;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Targets;

/// <summary>
/// One target of a letter: a measure of the category's scheme (e.g. <c>plan</c>, 万元), the annual figure
/// and the four quarter targets. Quarters add up to the year, unless the letter marks the measure
/// cumulative: then each quarter's figure is the total to its end and Q4 is the year.
/// </summary>
public sealed record LetterTarget(string Measure, string Name, string Unit, double Annual, bool Cumulative, double[] Quarters);

/// <summary>A key task (重点工作任务): its weight among the unit's tasks, who assesses it, and the milestone of each quarter ("" when none).</summary>
public sealed record LetterTask(string Id, string Title, double Weight, string Assessor, string[] Milestones);

/// <summary>The text of a letter as stored (TargetLetter.Content, TargetLetterVersion.Content).</summary>
public sealed record LetterContent(IReadOnlyList<LetterTarget> Targets, IReadOnlyList<LetterTask> Tasks, OutcomePoints Points)
{
    public string ToJson() => JsonSerializer.Serialize(this, FactPayload.Json);

    public static LetterContent Parse(string json) =>
        JsonSerializer.Deserialize<LetterContent>(json, FactPayload.Json) is { } c ? c with { Targets = c.Targets ?? [], Tasks = c.Tasks ?? [], Points = c.Points ?? new() } : Empty;

    public static LetterContent Empty { get; } = new([], [], new());
}

/// <summary>
/// A target as the office types it. Figures are JSON elements, so that a text where a number belongs is
/// named by its path rather than failing the whole body. <see cref="Split"/>: <c>equal</c> (the year in four),
/// <c>profile</c> (percentages of the year per quarter, e.g. 15/25/30/30) or <c>manual</c> (the four figures).
/// </summary>
public sealed record TargetInput(string? Measure, JsonElement? Annual, string? Split, JsonElement? Profile, JsonElement? Quarters, bool Cumulative = false);

public sealed record TaskInput(string? Id, string? Title, JsonElement? Weight, string? Assessor, string?[]? Milestones);

public sealed record LetterInput(List<TargetInput>? Targets, List<TaskInput>? Tasks, OutcomePoints? Points);

/// <summary>
/// Reads a letter as typed into its stored content, or names every field that is wrong (in the user's
/// language, e.g. <c>targets[1].quarters</c>: 四个季度之和 9,800 万元 ≠ 全年 10,000 万元). The figures of a
/// measure follow the same rules as the 填报 sheet (Facts/MeasureRules: no negative, whole counts).
/// </summary>
public static class LetterValidation
{
    public static (LetterContent? Content, Dictionary<string, Message[]> Errors) Read(LetterInput? input, IReadOnlyList<Measure> measures, ISet<string> assessors)
    {
        var errors = new Dictionary<string, Message[]>();
        void Err(string field, string zh, string en) => errors[field] = [new(zh, en)];
        if (input is null)
        {
            Err("body", "请求内容为空", "the request body is empty");
            return (null, errors);
        }
        var targets = new List<LetterTarget>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (input.Targets?.Count ?? 0); i++)
        {
            var t = input.Targets![i];
            var path = $"targets[{i}]";
            if (t is null)
            {
                Err(path, "目标不能为空", "a target cannot be null");
                continue;
            }
            var m = measures.FirstOrDefault(x => x.Id == t.Measure?.Trim());
            if (m is null)
            {
                Err($"{path}.measure", $"考核方案中没有基础数据指标 \"{t.Measure}\"", $"the scheme has no measure \"{t.Measure}\"");
                continue;
            }
            if (!seen.Add(m.Id)) Err($"{path}.measure", $"{m.Name}（{m.Id}）重复", $"{m.Id} appears twice");
            var annual = Figure(t.Annual, m, $"{path}.annual", Err);
            if (annual is null) continue;
            double[]? quarters = null;
            switch ((t.Split ?? "equal").Trim().ToLowerInvariant())
            {
                case "equal":
                    quarters = Spread(annual.Value, [25, 25, 25, 25], m, t.Cumulative);
                    break;
                case "profile":
                    var profile = Numbers(t.Profile, $"{path}.profile", Err);
                    if (profile is null) break;
                    if (profile.Any(p => p < 0) || Math.Abs(profile.Sum() - 100) > 1e-9)
                    {
                        Err($"{path}.profile", $"分季度比例须为四个非负数，合计 100（现为 {Num(profile.Sum())}）", $"the profile must be four non-negative percentages adding up to 100 (now {Num(profile.Sum())})");
                        break;
                    }
                    quarters = Spread(annual.Value, profile, m, t.Cumulative);
                    break;
                case "manual":
                    var typed = Numbers(t.Quarters, $"{path}.quarters", Err);
                    if (typed is null) break;
                    for (var q = 0; q < 4; q++)
                        if (MeasureRules.Problem(m, typed[q]) is { } p) { Err($"{path}.quarters[{q}]", p.Zh, p.En); typed = null; break; }
                    quarters = typed;
                    break;
                default:
                    Err($"{path}.split", $"分解方式须为 equal（平均）、profile（按比例）或 manual（逐季填写），不是 \"{t.Split}\"",
                        $"the split must be equal, profile or manual, not \"{t.Split}\"");
                    break;
            }
            if (quarters is null) continue;
            if (t.Cumulative)
            {
                if (!Same(quarters[3], annual.Value))
                    Err($"{path}.quarters", $"累计目标的第四季度 {Num(quarters[3])} {m.Unit} ≠ 全年 {Num(annual.Value)} {m.Unit}",
                        $"a cumulative target's Q4 {Num(quarters[3])} {m.Unit} ≠ the year's {Num(annual.Value)} {m.Unit}");
                else if (Enumerable.Range(1, 3).Any(q => quarters[q] < quarters[q - 1]))
                    Err($"{path}.quarters", "累计目标逐季不能减少", "a cumulative target cannot fall from one quarter to the next");
            }
            else if (!Same(quarters.Sum(), annual.Value))
                Err($"{path}.quarters", $"四个季度之和 {Num(quarters.Sum())} {m.Unit} ≠ 全年 {Num(annual.Value)} {m.Unit}",
                    $"the four quarters add up to {Num(quarters.Sum())} {m.Unit}, not the year's {Num(annual.Value)} {m.Unit}");
            targets.Add(new LetterTarget(m.Id, m.Name, m.Unit, annual.Value, t.Cumulative, quarters));
        }

        var tasks = new List<LetterTask>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (input.Tasks?.Count ?? 0); i++)
        {
            var t = input.Tasks![i];
            var path = $"tasks[{i}]";
            if (t is null)
            {
                Err(path, "任务不能为空", "a task cannot be null");
                continue;
            }
            var title = t.Title?.Trim() ?? "";
            if (title.Length is 0 or > 200) Err($"{path}.title", "须填写任务名称（1–200 字）", "a title of 1–200 characters is required");
            double? weight = t.Weight is { ValueKind: JsonValueKind.Number } w && w.TryGetDouble(out var wv) && double.IsFinite(wv) ? wv : null;
            if (weight is not > 0 || weight > 100) Err($"{path}.weight", "权重须为大于 0、不超过 100 的数", "the weight must be a number above 0 and at most 100");
            var assessor = t.Assessor?.Trim() ?? "";
            if (!assessors.Contains(assessor)) Err($"{path}.assessor", $"评价处室 \"{t.Assessor}\" 不存在", $"no division \"{t.Assessor}\" to assess the task");
            var milestones = (t.Milestones ?? []).Select(x => x?.Trim() ?? "").ToArray();
            if (milestones.Length != 4) Err($"{path}.milestones", "须按四个季度填写节点目标（无节点的季度留空）", "four quarterly milestones are required (leave a quarter without one empty)");
            else if (milestones.All(x => x.Length == 0)) Err($"{path}.milestones", "至少一个季度须有节点目标", "at least one quarter needs a milestone");
            else if (milestones.Any(x => x.Length > 500)) Err($"{path}.milestones", "节点目标不超过 500 字", "a milestone is at most 500 characters");
            var id = string.IsNullOrWhiteSpace(t.Id) ? $"T{i + 1}" : t.Id.Trim();
            if (id.Length > 32 || !ids.Add(id)) Err($"{path}.id", $"任务编号 \"{id}\" 重复或过长", $"the task id \"{id}\" is repeated or too long");
            if (weight is > 0 and <= 100 && title.Length is > 0 and <= 200 && milestones.Length == 4)
                tasks.Add(new LetterTask(id, title, weight.Value, assessor, milestones));
        }

        var points = input.Points ?? new OutcomePoints();
        double[] pts = [points.Done, points.Partly, points.NotDone];
        if (pts.Any(p => !double.IsFinite(p) || p < 0 || p > 100) || points.Done < points.Partly || points.Partly < points.NotDone)
            Err("points", "完成、基本完成、未完成的得分须在 0–100 之间且依次不增", "the points of done, partly done and not done must lie in 0–100 and not increase in that order");
        if (targets.Count == 0 && tasks.Count == 0 && errors.Count == 0)
            Err("targets", "目标责任书须至少有一项目标或一项重点工作任务", "a letter needs at least one target or one key task");
        return errors.Count > 0 ? (null, errors) : (new LetterContent(targets, tasks, points), errors);
    }

    /// <summary>
    /// The year spread over the quarters by percentages, rounded to the measure's grain (whole for a count,
    /// 0.01 otherwise) with the rounding left to Q4, so that the quarters add up exactly; cumulative: totals to each quarter's end.
    /// </summary>
    private static double[] Spread(double annual, IReadOnlyList<double> percent, Measure m, bool cumulative)
    {
        var grain = MeasureRules.IsCount(m) ? 0 : 2;
        var q = new double[4];
        var running = 0.0;
        for (var i = 0; i < 3; i++)
        {
            q[i] = Math.Round(annual * percent[i] / 100, grain, MidpointRounding.AwayFromZero);
            running += q[i];
        }
        q[3] = Math.Round(annual - running, grain, MidpointRounding.AwayFromZero);
        if (cumulative) for (var i = 1; i < 4; i++) q[i] += q[i - 1];
        return q;
    }

    private static double? Figure(JsonElement? e, Measure m, string path, Action<string, string, string> err)
    {
        if (e is not { ValueKind: JsonValueKind.Number } v || !v.TryGetDouble(out var d))
        {
            err(path, $"{m.Name}须为数值（{m.Unit}）", $"{m.Name} must be a number ({m.Unit})");
            return null;
        }
        if (MeasureRules.Problem(m, d) is { } p)
        {
            err(path, p.Zh, p.En);
            return null;
        }
        return d;
    }

    private static double[]? Numbers(JsonElement? e, string path, Action<string, string, string> err)
    {
        if (e is { ValueKind: JsonValueKind.Array } a && a.GetArrayLength() == 4)
        {
            var list = new double[4];
            var i = 0;
            foreach (var x in a.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Number || !x.TryGetDouble(out var d) || !double.IsFinite(d))
                {
                    err($"{path}[{i}]", "须为数值", "must be a number");
                    return null;
                }
                list[i++] = d;
            }
            return list;
        }
        err(path, "须为四个季度的数值", "four quarterly numbers are required");
        return null;
    }

    private static bool Same(double a, double b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(b));

    /// <summary>A figure as the letter writes it: thousands separated, at most two decimals (9,800; 62,000.5).</summary>
    public static string Num(double v) => v.ToString("#,0.##", CultureInfo.InvariantCulture);
}
