using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

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
/// Writes the bulletin as a .docx in the layout of official documents (GB/T 9704—2012): red issuer
/// line, document number, 方正小标宋 title, 仿宋 body at 三号 (16 pt) on a 28-point line pitch,
/// 黑体 / 楷体 headings, A4 with the standard margins, page numbers (— 1 —) at the foot, and the issuer and date at the end.
/// Widths and indents are given in twips as well as in characters: LibreOffice ignores <c>firstLineChars</c> and
/// shares a table's width equally unless the grid says otherwise, so unit names wrapped over two or three lines there (issue 18).
/// </summary>
public static class BulletinDocument
{
    private const string TitleFont = "方正小标宋简体";
    private const string BodyFont = "仿宋_GB2312";
    private const string HeadingFont = "黑体";
    private const string SubheadingFont = "楷体_GB2312";
    private const string Red = "C00000";
    private const int BodySize = 32;        // half-points: 三号 16 pt
    private const int TitleSize = 44;       // 二号 22 pt
    private const int LinePitch = 560;      // twentieths of a point: 28 pt fixed
    private const int TextWidth = 11906 - 1588 - 1474;   // twips: A4 less the left and right margins
    private const int TableSize = 24;       // half-points: 小四 12 pt in the tables

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
    /// The document part is written with the SAX-style <see cref="OpenXmlWriter"/>: each paragraph and each
    /// table row is built as a small element and written at once, so a bulletin of 3,000 units never holds
    /// its whole tree in memory (issue 9: 3,000 units in under 3 s).
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

        w.WriteElement(Para(c.Issuer, IssuerFont, 52, JustificationValues.Center, bold: false, color: Red, spacingAfter: 120));
        w.WriteElement(Para(c.DocumentNumber, BodyFont, BodySize, JustificationValues.Center, spacingAfter: 0));
        w.WriteElement(RedRule());
        w.WriteElement(Para(c.Title, TitleFont, TitleSize, JustificationValues.Center, spacingBefore: 240, spacingAfter: 240));
        w.WriteElement(Para(c.Addressees + "：", BodyFont, BodySize, JustificationValues.Left, firstLineIndent: false));
        foreach (var p in c.Overview) w.WriteElement(Para(p, BodyFont, BodySize));

        var section = 0;
        w.WriteElement(Heading($"{Numeral(++section)}、考核结果"));
        var sub = 0;
        foreach (var category in c.Categories)
        {
            w.WriteElement(Subheading($"（{Numeral(++sub)}）{category.Name}"));
            foreach (var group in category.Groups)
            {
                if (category.Groups.Count > 1 || group.Name != category.Name)
                    w.WriteElement(Para($"{group.Name}：", BodyFont, BodySize, bold: true));
                RankingTable(w, group, c.RankDecimals);
            }
        }

        w.WriteElement(Heading($"{Numeral(++section)}、通报表扬和通报批评"));
        foreach (var category in c.Categories)
        {
            var commended = category.Groups.SelectMany(g => g.Rows.Where(r => r.Commended).Select(r => r.Unit)).ToArray();
            var criticized = category.Groups.SelectMany(g => g.Rows.Where(r => r.Criticized).Select(r => r.Unit)).ToArray();
            w.WriteElement(Para(
                $"{category.Name}：对考核排名靠前的{Join(commended)}予以通报表扬，并作经验交流；" +
                $"对考核排名靠后的{Join(criticized)}予以通报批评，并作表态发言，深刻剖析原因。",
                BodyFont, BodySize));
            var vetoed = category.Groups.SelectMany(g => g.Rows.Where(r => r.Vetoed).Select(r => r.Unit)).ToArray();
            if (vetoed.Length > 0)
                w.WriteElement(Para($"{Join(vetoed)}因发生重大事故实行年度考核“一票否决”。", BodyFont, BodySize));
        }

        if (c.GoodPractices.Count > 0)
        {
            w.WriteElement(Heading($"{Numeral(++section)}、好经验好做法"));
            foreach (var gp in c.GoodPractices) w.WriteElement(Para($"{gp.Unit}：{gp.Text}", BodyFont, BodySize));
        }
        if (c.Weaknesses.Count > 0)
        {
            w.WriteElement(Heading($"{Numeral(++section)}、存在的短板弱项"));
            var i = 0;
            foreach (var weakness in c.Weaknesses) w.WriteElement(Para($"{++i}. {weakness}", BodyFont, BodySize));
        }
        w.WriteElement(Heading($"{Numeral(++section)}、整改要求"));
        foreach (var r in c.Rectification) w.WriteElement(Para(r, BodyFont, BodySize));

        w.WriteElement(Para("", BodyFont, BodySize));
        w.WriteElement(Para(c.Issuer, BodyFont, BodySize, JustificationValues.Right, firstLineIndent: false, rightIndentChars: 4));
        w.WriteElement(Para($"{c.Date.Year}年{c.Date.Month}月{c.Date.Day}日", BodyFont, BodySize, JustificationValues.Right, firstLineIndent: false, rightIndentChars: 4));

        w.WriteElement(new SectionProperties(
            new FooterReference { Type = HeaderFooterValues.Default, Id = footerId },
            new PageSize { Width = 11906U, Height = 16838U },                        // A4
            new PageMargin { Top = 2098, Bottom = 1984, Left = 1588U, Right = 1474U, Header = 851U, Footer = 992U })); // 37/35/28/26 mm
        w.WriteEndElement(); // body
        w.WriteEndElement(); // document
        w.Close();
    }

    private const string IssuerFont = TitleFont;

    /// <summary>
    /// The footer with the page number in the official style: "— 1 —", 4号 (14 pt) 宋体 (GB/T 9704—2012 §7.5).
    /// A PAGE field, so Word and LibreOffice number the pages as they lay them out.
    /// </summary>
    private static string PageNumbers(MainDocumentPart main)
    {
        var part = main.AddNewPart<FooterPart>();
        Run Text(string t) => new(Font("宋体", 28), new Text(t) { Space = SpaceProcessingModeValues.Preserve });
        part.Footer = new Footer(new Paragraph(
            new ParagraphProperties(new Justification { Val = JustificationValues.Center }),
            Text("— "),
            new SimpleField(Text("1")) { Instruction = " PAGE " },
            Text(" —")));
        part.Footer.Save();
        return main.GetIdOfPart(part);
    }

    private static string Join(IReadOnlyList<string> names) => names.Count == 0 ? "（无）" : string.Join("、", names);

    private static string Numeral(int i) => i switch
    {
        1 => "一", 2 => "二", 3 => "三", 4 => "四", 5 => "五", 6 => "六", 7 => "七", 8 => "八", 9 => "九", 10 => "十",
        _ => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static RunProperties Font(string font, int size, bool bold = false, string? color = null)
    {
        var rp = new RunProperties(
            new RunFonts { Ascii = font, HighAnsi = font, EastAsia = font, ComplexScript = font },
            new FontSize { Val = size.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            new FontSizeComplexScript { Val = size.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        if (bold) rp.Append(new Bold());
        if (color is not null) rp.Append(new Color { Val = color });
        return rp;
    }

    private static Paragraph Para(string text, string font, int size, JustificationValues? align = null, bool bold = false,
        string? color = null, bool firstLineIndent = true, int spacingBefore = 0, int spacingAfter = 0, int rightIndentChars = 0)
    {
        var pp = new ParagraphProperties(
            new SpacingBetweenLines { Line = LinePitch.ToString(System.Globalization.CultureInfo.InvariantCulture), LineRule = LineSpacingRuleValues.Exact,
                Before = spacingBefore.ToString(System.Globalization.CultureInfo.InvariantCulture), After = spacingAfter.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            new Justification { Val = align ?? JustificationValues.Both });
        var indent = new Indentation();
        // Characters for Word, twips for LibreOffice (which ignores the *Chars attributes): two characters of the paragraph's size.
        var em = size * 10;   // twips per character: half-points × 10
        if (firstLineIndent && (align is null || align == JustificationValues.Both || align == JustificationValues.Left))
        {
            indent.FirstLineChars = 200;
            indent.FirstLine = (2 * em).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (rightIndentChars > 0)
        {
            indent.RightChars = rightIndentChars * 100;
            indent.Right = (rightIndentChars * em).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        pp.Append(indent);
        return new Paragraph(pp, new Run(Font(font, size, bold, color), new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
    }

    private static Paragraph Heading(string text) => Para(text, HeadingFont, BodySize);

    private static Paragraph Subheading(string text) => Para(text, SubheadingFont, BodySize);

    private static Paragraph RedRule() => new(new ParagraphProperties(
        new ParagraphBorders(new BottomBorder { Val = BorderValues.Single, Size = 18U, Color = Red, Space = 1U }),
        new SpacingBetweenLines { After = "240" }));

    private static void RankingTable(OpenXmlWriter w, BulletinGroup group, int decimals)
    {
        w.WriteStartElement(new Table());
        w.WriteElement(new TableProperties(
            new TableWidth { Type = TableWidthUnitValues.Dxa, Width = TextWidth.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            new TableLayout { Type = TableLayoutValues.Fixed },
            new TableBorders(
                new TopBorder { Val = BorderValues.Single, Size = 4U }, new BottomBorder { Val = BorderValues.Single, Size = 4U },
                new LeftBorder { Val = BorderValues.Single, Size = 4U }, new RightBorder { Val = BorderValues.Single, Size = 4U },
                new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4U }, new InsideVerticalBorder { Val = BorderValues.Single, Size = 4U }),
            new TableJustification { Val = TableRowAlignmentValues.Center }));
        w.WriteElement(new TableGrid(ColumnWidths.Select(width => new GridColumn { Width = width.ToString(System.Globalization.CultureInfo.InvariantCulture) })));
        w.WriteElement(Row(true, "名次", "单位", "得分", "等次", "备注"));
        var format = "F" + decimals.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var r in group.Rows.OrderBy(r => r.Rank))
        {
            var note = string.Join("、", new[] { r.Commended ? "通报表扬" : null, r.Criticized ? "通报批评" : null, r.Vetoed ? "一票否决" : null }.OfType<string>());
            w.WriteElement(Row(false, r.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Unit,
                Kaohe.Scoring.Rounding.HalfAwayFromZero(r.Total, decimals).ToString(format, System.Globalization.CultureInfo.InvariantCulture),
                r.Grade ?? "", note));
        }
        w.WriteEndElement();
    }

    private static TableRow Row(bool header, params string[] cells) => new(cells.Select((text, i) => new TableCell(
        new TableCellProperties(new TableCellWidth { Type = TableWidthUnitValues.Dxa, Width = ColumnWidths[i].ToString(System.Globalization.CultureInfo.InvariantCulture) }),
        new Paragraph(new ParagraphProperties(new Justification { Val = JustificationValues.Center }),
            new Run(Font(header ? HeadingFont : BodyFont, TableSize), new Text(text) { Space = SpaceProcessingModeValues.Preserve })))));
}
