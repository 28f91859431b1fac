using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Kaohe.Web.Features.Shared;

/// <summary>
/// The layout of official documents (GB/T 9704—2012) that the 考核通报 and the 目标责任书 share: red issuer
/// line, 方正小标宋 title, 仿宋 body at 三号 (16 pt) on a 28-point line pitch, 黑体 / 楷体 headings, A4 with
/// the standard margins, page numbers (— 1 —) at the foot, and tables at 小四.
/// Widths and indents are given in twips as well as in characters: LibreOffice ignores <c>firstLineChars</c> and
/// shares a table's width equally unless the grid says otherwise, so unit names wrapped over two or three lines there (issue 18).
/// </summary>
public static class OfficialDocument
{
    public const string TitleFont = "方正小标宋简体";
    public const string IssuerFont = TitleFont;
    public const string BodyFont = "仿宋_GB2312";
    public const string HeadingFont = "黑体";
    public const string SubheadingFont = "楷体_GB2312";
    public const string Red = "C00000";
    public const int BodySize = 32;        // half-points: 三号 16 pt
    public const int TitleSize = 44;       // 二号 22 pt
    public const int LinePitch = 560;      // twentieths of a point: 28 pt fixed
    public const int TextWidth = 11906 - 1588 - 1474;   // twips: A4 less the left and right margins
    public const int TableSize = 24;       // half-points: 小四 12 pt in the tables

    private static string S(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The footer with the page number in the official style: "— 1 —", 4号 (14 pt) 宋体 (GB/T 9704—2012 §7.5).
    /// A PAGE field, so Word and LibreOffice number the pages as they lay them out.
    /// </summary>
    public static string PageNumbers(MainDocumentPart main)
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

    /// <summary>A4 with the margins of GB/T 9704 (37/35/28/26 mm) and the page-number footer.</summary>
    public static SectionProperties PageSetup(string footerId) => new(
        new FooterReference { Type = HeaderFooterValues.Default, Id = footerId },
        new PageSize { Width = 11906U, Height = 16838U },
        new PageMargin { Top = 2098, Bottom = 1984, Left = 1588U, Right = 1474U, Header = 851U, Footer = 992U });

    public static string Numeral(int i) => i switch
    {
        1 => "一", 2 => "二", 3 => "三", 4 => "四", 5 => "五", 6 => "六", 7 => "七", 8 => "八", 9 => "九", 10 => "十",
        _ => S(i),
    };

    public static RunProperties Font(string font, int size, bool bold = false, string? color = null)
    {
        var rp = new RunProperties(
            new RunFonts { Ascii = font, HighAnsi = font, EastAsia = font, ComplexScript = font },
            new FontSize { Val = S(size) },
            new FontSizeComplexScript { Val = S(size) });
        if (bold) rp.Append(new Bold());
        if (color is not null) rp.Append(new Color { Val = color });
        return rp;
    }

    public static Paragraph Para(string text, string font, int size, JustificationValues? align = null, bool bold = false,
        string? color = null, bool firstLineIndent = true, int spacingBefore = 0, int spacingAfter = 0, int rightIndentChars = 0)
    {
        var pp = new ParagraphProperties(
            new SpacingBetweenLines { Line = S(LinePitch), LineRule = LineSpacingRuleValues.Exact, Before = S(spacingBefore), After = S(spacingAfter) },
            new Justification { Val = align ?? JustificationValues.Both });
        var indent = new Indentation();
        // Characters for Word, twips for LibreOffice (which ignores the *Chars attributes): two characters of the paragraph's size.
        var em = size * 10;   // twips per character: half-points × 10
        if (firstLineIndent && (align is null || align == JustificationValues.Both || align == JustificationValues.Left))
        {
            indent.FirstLineChars = 200;
            indent.FirstLine = S(2 * em);
        }
        if (rightIndentChars > 0)
        {
            indent.RightChars = rightIndentChars * 100;
            indent.Right = S(rightIndentChars * em);
        }
        pp.Append(indent);
        return new Paragraph(pp, new Run(Font(font, size, bold, color), new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
    }

    public static Paragraph Heading(string text) => Para(text, HeadingFont, BodySize);

    public static Paragraph Subheading(string text) => Para(text, SubheadingFont, BodySize);

    public static Paragraph RedRule() => new(new ParagraphProperties(
        new ParagraphBorders(new BottomBorder { Val = BorderValues.Single, Size = 18U, Color = Red, Space = 1U }),
        new SpacingBetweenLines { After = "240" }));

    /// <summary>Opens a bordered table of the text width with these column widths (twips); the caller writes the rows and closes it.</summary>
    public static void TableStart(OpenXmlWriter w, int[] widths)
    {
        w.WriteStartElement(new Table());
        w.WriteElement(new TableProperties(
            new TableWidth { Type = TableWidthUnitValues.Dxa, Width = S(TextWidth) },
            new TableLayout { Type = TableLayoutValues.Fixed },
            new TableBorders(
                new TopBorder { Val = BorderValues.Single, Size = 4U }, new BottomBorder { Val = BorderValues.Single, Size = 4U },
                new LeftBorder { Val = BorderValues.Single, Size = 4U }, new RightBorder { Val = BorderValues.Single, Size = 4U },
                new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4U }, new InsideVerticalBorder { Val = BorderValues.Single, Size = 4U }),
            new TableJustification { Val = TableRowAlignmentValues.Center }));
        w.WriteElement(new TableGrid(widths.Select(width => new GridColumn { Width = S(width) })));
    }

    public static TableRow Row(int[] widths, bool header, params string[] cells) => new(cells.Select((text, i) => new TableCell(
        new TableCellProperties(new TableCellWidth { Type = TableWidthUnitValues.Dxa, Width = S(widths[i]) }),
        new Paragraph(new ParagraphProperties(new Justification { Val = JustificationValues.Center }),
            new Run(Font(header ? HeadingFont : BodyFont, TableSize), new Text(text) { Space = SpaceProcessingModeValues.Preserve })))));
}
