using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using static Kaohe.Web.Features.Shared.OfficialDocument;

namespace Kaohe.Web.Features.Targets;

/// <summary>What a 目标责任书 names besides its content: the issuer, the unit, the year, its version and date.</summary>
public sealed record LetterHeader(string Issuer, string UnitName, int Year, int Version, DateOnly IssuedOn, string CategoryName);

/// <summary>
/// Writes a target letter as a .docx in the layout of the bulletin (Shared/OfficialDocument): the issuer in
/// red, the title, the targets table (annual and each quarter), the key tasks with their weights and
/// quarterly milestones, how milestones are scored, and the two signature lines.
/// </summary>
public static class LetterDocument
{
    /// <summary>Targets table: 指标, 单位, 全年, 一–四季度 (twips, filling the text width).</summary>
    private static readonly int[] TargetWidths = [2244, 900, 1300, 1100, 1100, 1100, 1100];

    /// <summary>Key tasks table: 任务, 权重, 一–四季度节点.</summary>
    private static readonly int[] TaskWidths = [2044, 700, 1550, 1550, 1550, 1450];

    public static byte[] Generate(LetterHeader h, LetterContent c)
    {
        using var ms = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(ms, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            var footerId = PageNumbers(main);
            using var w = OpenXmlWriter.Create(main);
            w.WriteStartDocument(true);
            w.WriteStartElement(new Document());
            w.WriteStartElement(new Body());
            w.Para(h.Issuer, IssuerFont, 52, JustificationValues.Center, color: Red, spacingAfter: 120);
            w.RedRule();
            w.Para($"{h.Year}年度{h.UnitName}目标责任书", TitleFont, TitleSize, JustificationValues.Center, spacingBefore: 240, spacingAfter: 0);
            w.Para($"（第{h.Version}版）", BodyFont, BodySize, JustificationValues.Center, firstLineIndent: false, spacingAfter: 240);
            w.Para($"为落实{h.Year}年度目标责任考核工作，经研究，确定{h.UnitName}（{h.CategoryName}）{h.Year}年度目标任务如下，按季度考核。", BodyFont, BodySize);

            var section = 0;
            if (c.Targets.Count > 0)
            {
                w.Heading($"{Numeral(++section)}、年度目标及季度分解");
                w.TableStart(TargetWidths);
                w.Row(TargetWidths, true, "指标", "单位", "全年", "一季度", "二季度", "三季度", "四季度");
                foreach (var t in c.Targets)
                    w.Row(TargetWidths, false, t.Name + (t.Cumulative ? "（累计）" : ""), t.Unit, LetterValidation.Num(t.Annual),
                        LetterValidation.Num(t.Quarters[0]), LetterValidation.Num(t.Quarters[1]), LetterValidation.Num(t.Quarters[2]), LetterValidation.Num(t.Quarters[3]));
                w.WriteEndElement();
                if (c.Targets.Any(t => t.Cumulative))
                    w.Para("注：标注“累计”的指标，各季度目标为年初至该季度末的累计数，四季度目标即全年目标。", BodyFont, BodySize);
            }
            if (c.Tasks.Count > 0)
            {
                w.Heading($"{Numeral(++section)}、重点工作任务");
                w.TableStart(TaskWidths);
                w.Row(TaskWidths, true, "任务", "权重", "一季度节点", "二季度节点", "三季度节点", "四季度节点");
                foreach (var t in c.Tasks)
                    w.Row(TaskWidths, false, t.Title, LetterValidation.Num(t.Weight), t.Milestones[0], t.Milestones[1], t.Milestones[2], t.Milestones[3]);
                w.WriteEndElement();
                w.Para($"各季度节点目标由责任处室评价：完成得 {LetterValidation.Num(c.Points.Done)} 分，基本完成得 {LetterValidation.Num(c.Points.Partly)} 分，" +
                    $"未完成得 {LetterValidation.Num(c.Points.NotDone)} 分；按权重加权计算重点工作任务完成度。", BodyFont, BodySize);
            }
            w.Heading($"{Numeral(++section)}、考核与签收");
            w.Para("本责任书经下达、签收后生效。季度目标作为当季考核的基础数据；执行中确需调整的，经考核办审批后下达新版本，由责任单位重新签收。", BodyFont, BodySize);
            w.Para("", BodyFont, BodySize);
            w.Para($"下达单位：{h.Issuer}", BodyFont, BodySize, JustificationValues.Left, firstLineIndent: false);
            w.Para($"责任单位：{h.UnitName}（签收）", BodyFont, BodySize, JustificationValues.Left, firstLineIndent: false);
            w.Para($"{h.IssuedOn.Year}年{h.IssuedOn.Month}月{h.IssuedOn.Day}日", BodyFont, BodySize, JustificationValues.Right, firstLineIndent: false, rightIndentChars: 4);
            w.WriteElement(PageSetup(footerId));
            w.WriteEndElement();
            w.WriteEndElement();
            w.Close();
        }
        return ms.ToArray();
    }
}
