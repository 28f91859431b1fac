using System.Globalization;
using System.Text;
using Kaohe.Scoring;

namespace Kaohe.Cli;

/// <summary>A readable breakdown of one unit's scores, Chinese by default.</summary>
internal static class ExplainText
{
    private static string F(double v) => Rounding.HalfAwayFromZero(v, 4).ToString("0.####", CultureInfo.InvariantCulture);

    public static string Render(Assessment a, AssessmentResult result, string unitId, Indicator? node, bool english)
    {
        var sb = new StringBuilder();
        var u = result[unitId];
        sb.AppendLine(english
            ? $"{(u.Name.Length > 0 ? u.Name + " " : "")}({u.Id}) · {a.Period} · group {(u.Group.Length > 0 ? u.Group : "-")}"
            : $"{(u.Name.Length > 0 ? u.Name : u.Id)}（{u.Id}）· {a.Period} · 排名组 {(u.Group.Length > 0 ? u.Group : "—")}");
        if (node is null)
        {
            var total = result.Explain(unitId);
            sb.AppendLine(english ? total.FormulaEn : total.FormulaZh);
            foreach (var input in total.Inputs.Where(i => i.Key is "adjustment" or "veto"))
                sb.AppendLine($"  {(english ? input.LabelEn : input.LabelZh)}: {(input.Value is { } v ? F(v) : "")} {input.Text}".TrimEnd());
            sb.AppendLine();
            foreach (var root in a.Indicators) Walk(root, 0);
        }
        else Walk(node, 0);
        return sb.ToString();

        void Walk(Indicator n, int depth)
        {
            var e = result.Explain(unitId, n.Id);
            var indent = new string(' ', depth * 2);
            sb.AppendLine($"{indent}{n.Id} {n.Name}  {F(e.Score)} / {F(n.Points)}{(english ? " points" : " 分")}");
            if (e.Formula is { } f) sb.AppendLine($"{indent}  {(english ? f.TextEn : f.TextZh)}");
            sb.AppendLine($"{indent}  {(english ? e.FormulaEn : e.FormulaZh)}");
            foreach (var i in e.Inputs.Where(i => i.HeldBy is not null && i.Key is "satisfactory" or "unallowable"))
                sb.AppendLine(english
                    ? $"{indent}  {i.LabelEn} {F(i.Value ?? 0)} held by {i.HeldBy}"
                    : $"{indent}  {i.LabelZh} {F(i.Value ?? 0)} 取自 {i.HeldBy}");
            foreach (var c in n.ChildList) Walk(c, depth + 1);
        }
    }
}
