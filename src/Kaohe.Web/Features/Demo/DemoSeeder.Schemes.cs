using System.Text.Json;
using Kaohe.Demo;
using Kaohe.Scoring;
using Kaohe.Scoring.FileFormat;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;

namespace Kaohe.Web.Features.Demo;

public sealed partial class DemoSeeder
{
    /// <summary>The 2023-Q1 data was collected in the first ten days of April.</summary>
    private static readonly DateTimeOffset CollectedAt = new(2023, 4, 8, 2, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The four schemes, active for 2023-Q1, and every datum of the demo's Q1 as a verified fact with
    /// a plausible source: units report values, divisions and leaders rate, inspections find,
    /// surveys tally, the office records adjustments. Divisions and leaders get their assignments.
    /// </summary>
    private async partial Task SeedSchemesAsync()
    {
        foreach (var demo in DemoSchemes.Build())
        {
            var a = demo.Q1;
            var scheme = new Scheme(demo.Code, a.Period, 1, $"2023年第一季度{demo.NameZh}考核方案", KaoheFile.WriteScheme(a.Period, a.Indicators, a.Rules, a.Measures),
                JsonSerializer.Serialize(demo.RuleTexts, AuditChain.Json), "office", CollectedAt.AddDays(-40));
            scheme.Activate(CollectedAt.AddDays(-38));
            db.Schemes.Add(scheme);
            var leaves = IndicatorTree.Leaves(a.Indicators).ToDictionary(l => l.Id);
            foreach (var v in a.Values) AddFacts(a.Period, v, leaves[v.Indicator]);
            // Base figures are reported by the unit (单位填报), as values are, except what the units' 目标责任书 set
            // (plan, due) or their assessed key tasks give (keytask): those are the letters' own (SeedTargetsAsync).
            foreach (var d in a.Data.Where(d => !DemoSchemes.LetterMeasures.Contains(d.Measure) && d.Measure != DemoSchemes.KeyTask))
                db.Facts.Add(new Fact(a.Period, d.Unit, d.Measure, FactKind.Measure, new FactPayload(Value: d.Value).ToJson(), FactSources.Report,
                    $"unit-{d.Unit}", CollectedAt, FactStatus.Verified));
            foreach (var adj in a.Adjustments)
                db.Facts.Add(new Fact(a.Period, adj.Unit, null, FactKind.Adjustment, new FactPayload(Points: adj.Points, Reason: adj.Reason).ToJson(),
                    FactSources.Office, "office", CollectedAt, FactStatus.Verified));
            foreach (var veto in a.Vetoes)
                db.Facts.Add(new Fact(a.Period, veto.Unit, null, FactKind.Veto, new FactPayload(Reason: veto.Reason).ToJson(),
                    FactSources.Office, "office", CollectedAt, FactStatus.Verified));
            AddAssignments(a, leaves.Values);
            audit.Record("scheme.create", "scheme", () => scheme.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
                new { scheme.Category, scheme.PeriodId, scheme.Version, source = "demo" });
        }
        await audit.SaveAsync();
    }

    private void AddFacts(string period, DataValue v, Indicator leaf)
    {
        void Add(FactKind kind, FactPayload payload, string source, string author, string? rater = null) =>
            db.Facts.Add(new Fact(period, v.Unit, v.Indicator, kind, payload.ToJson(), source, author, CollectedAt, FactStatus.Verified, rater));
        switch (leaf.Method)
        {
            case RatersMethod:
                var leader = v.Rater is "principal" or "in-charge";
                Add(FactKind.RaterScore, new FactPayload(Value: v.Value), leader ? FactSources.Leader : FactSources.Division,
                    leader ? (v.Rater == "principal" ? "leader-principal" : "leader-incharge") : $"division-{v.Rater}", v.Rater);
                break;
            case SurveyMethod:
                Add(FactKind.SurveyTally, new FactPayload(Counts: v.Counts?.ToDictionary(kv => kv.Key, kv => kv.Value)), FactSources.Survey, "assessor1");
                break;
            case DeductionMethod:
                var source = v.Unit.StartsWith("cg-", StringComparison.Ordinal) ? FactSources.Inspection : leaf.Id.StartsWith('C') ? FactSources.Platform : FactSources.Office;
                if (v.Findings?.Count is { } count)
                    for (var i = 0; i < count; i++) Add(FactKind.Finding, new FactPayload(Note: $"问题 {i + 1}"), source, source == FactSources.Inspection ? "assessor1" : "office");
                else
                    foreach (var f in v.Findings?.Items ?? [])
                        Add(FactKind.Finding, new FactPayload(Points: f.Points, Note: f.Note), source, source == FactSources.Inspection ? "assessor1" : "office");
                break;
            case DirectMethod:
                Add(FactKind.Value, new FactPayload(Value: v.Value), FactSources.Division, "office");
                break;
            default:
                Add(FactKind.Value, new FactPayload(Value: v.Value, Target: v.Target), FactSources.Report, $"unit-{v.Unit}");
                break;
        }
    }

    /// <summary>多方评: each rating division scores its own leaves; the two leaders rate every unit and division.</summary>
    private void AddAssignments(Assessment a, IEnumerable<Indicator> leaves)
    {
        foreach (var leaf in leaves)
        {
            if (leaf.Method is not RatersMethod rm) continue;
            foreach (var r in rm.Raters)
                foreach (var u in a.Units)
                    db.Assignments.Add(r.Id is "principal" or "in-charge"
                        ? new Assignment(a.Period, AssignmentKind.Leader, r.Id == "principal" ? "leader-principal" : "leader-incharge", u.Id, leaf.Id, r.Id)
                        : new Assignment(a.Period, AssignmentKind.Division, r.Id, u.Id, leaf.Id, r.Id));
        }
    }

}
