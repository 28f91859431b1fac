using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using static Kaohe.Web.Features.Shared.OfficialDocument;

namespace Kaohe.Web.Features.Publication;

/// <summary>One ranked row of a bulletin table.</summary>
public sealed record BulletinRow(int Rank, string Unit, double Total, string? Grade, bool Commended, bool Criticized, bool Vetoed);

/// <summary>A ranking group of a category (e.g. 地市城管局 · 县城).</summary>
public sealed record BulletinGroup(string Name, IReadOnlyList<BulletinRow> Rows);

/// <summary>A subject category (地市住建局, 地市城管局, 厅属单位, 机关处室) with its groups.</summary>
public sealed record BulletinCategory(string Name, IReadOnlyList<BulletinGroup> Groups);

public sealed record GoodPractice(string Unit, string Text);

/// <summary>
/// Everything a 考核通报 says. The narrative paragraphs are the office's (editable before generation);
/// the rankings and lists come from the results.
/// </summary>
public sealed record BulletinContent(
    string Issuer,
    string DocumentNumber,
    string Title,
    DateOnly Date,
    string Addressees,
    IReadOnlyList<string> Overview,
    IReadOnlyList<BulletinCategory> Categories,
    IReadOnlyList<GoodPractice> GoodPractices,
    IReadOnlyList<string> Weaknesses,
    IReadOnlyList<string> Rectification,
    int RankDecimals = 2);

/// <summary>
/// Writes the bulletin as a .docx in the layout of official documents (Shared/OfficialDocument: GB/T 9704—2012 fonts,
/// sizes, A4 page and page numbers): red issuer line, document number, title, the ranking tables, and the issuer and date at the end.
/// </summary>
public static class BulletinDocument
{
    /// <summary>The ranking table's columns (名次, 单位, 得分, 等次, 备注) in twips, filling the text width; 单位 holds 18 characters at 12 pt.</summary>
    private static readonly int[] ColumnWidths = [800, 4444, 1100, 900, 1600];

    public static byte[] Generate(BulletinContent c)
    {
        using var ms = new MemoryStream();
        Write(c, ms);
        return ms.ToArray();
    }

    /// <summary>
    /// Writes the .docx to a seekable stream (e.g. a temporary file that is then streamed to the client).
    /// The document part is written with the SAX-style <see cref="OpenXmlWriter"/>, tag by tag (OfficialDocument):
    /// no paragraph or table row is built as an element object, so a bulletin of 3,000 units holds neither its
    /// tree nor its rows in memory (issues 9 and 20).
    /// </summary>
    public static void Write(BulletinContent c, Stream output)
    {
        using var doc = WordprocessingDocument.Create(output, WordprocessingDocumentType.Document);
        var main = doc.AddMainDocumentPart();
        var footerId = PageNumbers(main);
        using var w = OpenXmlWriter.Create(main);
        w.WriteStartDocument(true);
        w.WriteStartElement(new Document());
        w.WriteStartElement(new Body());

        w.Para(c.Issuer, IssuerFont, 52, JustificationValues.Center, bold: false, color: Red, spacingAfter: 120);
        w.Para(c.DocumentNumber, BodyFont, BodySize, JustificationValues.Center, spacingAfter: 0);
        w.RedRule();
        w.Para(c.Title, TitleFont, TitleSize, JustificationValues.Center, spacingBefore: 240, spacingAfter: 240);
        w.Para(c.Addressees + "：", BodyFont, BodySize, JustificationValues.Left, firstLineIndent: false);
        foreach (var p in c.Overview) w.Para(p, BodyFont, BodySize);

        var section = 0;
        w.Heading($"{Numeral(++section)}、考核结果");
        var sub = 0;
        foreach (var category in c.Categories)
        {
            w.Subheading($"（{Numeral(++sub)}）{category.Name}");
            foreach (var group in category.Groups)
            {
                if (category.Groups.Count > 1 || group.Name != category.Name)
                    w.Para($"{group.Name}：", BodyFont, BodySize, bold: true);
                RankingTable(w, group, c.RankDecimals);
            }
        }

        w.Heading($"{Numeral(++section)}、通报表扬和通报批评");
        foreach (var category in c.Categories)
        {
            var commended = category.Groups.SelectMany(g => g.Rows.Where(r => r.Commended).Select(r => r.Unit)).ToArray();
            var criticized = category.Groups.SelectMany(g => g.Rows.Where(r => r.Criticized).Select(r => r.Unit)).ToArray();
            w.Para(
                $"{category.Name}：对考核排名靠前的{Join(commended)}予以通报表扬，并作经验交流；" +
                $"对考核排名靠后的{Join(criticized)}予以通报批评，并作表态发言，深刻剖析原因。",
                BodyFont, BodySize);
            var vetoed = category.Groups.SelectMany(g => g.Rows.Where(r => r.Vetoed).Select(r => r.Unit)).ToArray();
            if (vetoed.Length > 0)
                w.Para($"{Join(vetoed)}因发生重大事故实行年度考核“一票否决”。", BodyFont, BodySize);
        }

        if (c.GoodPractices.Count > 0)
        {
            w.Heading($"{Numeral(++section)}、好经验好做法");
            foreach (var gp in c.GoodPractices) w.Para($"{gp.Unit}：{gp.Text}", BodyFont, BodySize);
        }
        if (c.Weaknesses.Count > 0)
        {
            w.Heading($"{Numeral(++section)}、存在的短板弱项");
            var i = 0;
            foreach (var weakness in c.Weaknesses) w.Para($"{++i}. {weakness}", BodyFont, BodySize);
        }
        w.Heading($"{Numeral(++section)}、整改要求");
        foreach (var r in c.Rectification) w.Para(r, BodyFont, BodySize);

        w.Para("", BodyFont, BodySize);
        w.Para(c.Issuer, BodyFont, BodySize, JustificationValues.Right, firstLineIndent: false, rightIndentChars: 4);
        w.Para($"{c.Date.Year}年{c.Date.Month}月{c.Date.Day}日", BodyFont, BodySize, JustificationValues.Right, firstLineIndent: false, rightIndentChars: 4);

        w.WriteElement(PageSetup(footerId));
        w.WriteEndElement(); // body
        w.WriteEndElement(); // document
        w.Close();
    }

    private static string Join(IReadOnlyList<string> names) => names.Count == 0 ? "（无）" : string.Join("、", names);

    private static void RankingTable(OpenXmlWriter w, BulletinGroup group, int decimals)
    {
        w.TableStart(ColumnWidths);
        w.Row(ColumnWidths, true, "名次", "单位", "得分", "等次", "备注");
        var format = "F" + decimals.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var r in group.Rows.OrderBy(r => r.Rank))
        {
            var note = string.Join("、", new[] { r.Commended ? "通报表扬" : null, r.Criticized ? "通报批评" : null, r.Vetoed ? "一票否决" : null }.OfType<string>());
            w.Row(ColumnWidths, false, r.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Unit,
                Kaohe.Scoring.Rounding.HalfAwayFromZero(r.Total, decimals).ToString(format, System.Globalization.CultureInfo.InvariantCulture),
                r.Grade ?? "", note);
        }
        w.WriteEndElement();
    }
}
