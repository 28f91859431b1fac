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
        using (var w = OpenXmlWriter.Create(part, new System.Text.UTF8Encoding(false)))   // no BOM, as the footer was written before
        {
            w.WriteStartDocument();
            w.WriteStartElement(new Footer());
            w.WriteStartElement(P);
            w.WriteStartElement(PPr);
            Empty(w, Jc, A("val", "center"));
            w.WriteEndElement();
            TextRun(w, "— ", "宋体", 28);
            w.WriteStartElement(new SimpleField(), [A("instr", " PAGE ")]);
            TextRun(w, "1", "宋体", 28);
            w.WriteEndElement();
            TextRun(w, " —", "宋体", 28);
            w.WriteEndElement();
            w.WriteEndElement();
            w.Close();
        }
        return main.GetIdOfPart(part);
    }

    /// <summary>A4 with the margins of GB/T 9704 (37/35/28/26 mm) and the page-number footer.</summary>
    public static SectionProperties PageSetup(string footerId) => new(
        new FooterReference { Type = HeaderFooterValues.Default, Id = footerId },
        new PageSize { Width = 11906U, Height = 16838U },
        new PageMargin { Top = 2098, Bottom = 1984, Left = 1588U, Right = 1474U, Header = 851U, Footer = 992U });

    public static string Numeral(int i) => i switch
    {
        1 => "一",
        2 => "二",
        3 => "三",
        4 => "四",
        5 => "五",
        6 => "六",
        7 => "七",
        8 => "八",
        9 => "九",
        10 => "十",
        _ => S(i),
    };

    // The elements below are written SAX-style (issue 20): start tag, attributes, end tag, straight to the part's
    // XML through OpenXmlWriter, never as element objects. A bulletin of 3,000 units has ~230,000 elements in its
    // tables; building each as an object (with typed attribute values) before writing it took most of the .docx's time
    // and the first call's JIT of every element type. The instances here only name the element (prefix, local name,
    // namespace) and are never changed; the output is byte for byte what the element objects wrote.
    private const string W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    private static readonly Paragraph P = new();
    private static readonly ParagraphProperties PPr = new();
    private static readonly SpacingBetweenLines Spacing = new();
    private static readonly Justification Jc = new();
    private static readonly Indentation Ind = new();
    private static readonly ParagraphBorders PBdr = new();
    private static readonly BottomBorder Bottom = new();
    private static readonly Run R = new();
    private static readonly RunProperties RPr = new();
    private static readonly RunFonts RFonts = new();
    private static readonly FontSize Sz = new();
    private static readonly FontSizeComplexScript SzCs = new();
    private static readonly Bold B = new();
    private static readonly Color C = new();
    private static readonly Text T = new();
    private static readonly OpenXmlAttribute[] Preserve = [new("xml", "space", "http://www.w3.org/XML/1998/namespace", "preserve")];
    private static readonly TableRow Tr = new();
    private static readonly TableCell Tc = new();
    private static readonly TableCellProperties TcPr = new();
    private static readonly TableCellWidth TcW = new();

    private static OpenXmlAttribute A(string name, string value) => new("w", name, W, value);

    private static void Empty(OpenXmlWriter w, OpenXmlElement element, params OpenXmlAttribute[] attributes)
    {
        w.WriteStartElement(element, attributes);
        w.WriteEndElement();
    }

    private static string Val(JustificationValues v) => ((IEnumValue)v).Value;

    /// <summary>A run of text in a font and size (half-points), optionally bold and coloured: w:r with its w:rPr and w:t.</summary>
    private static void TextRun(OpenXmlWriter w, string text, string font, int size, bool bold = false, string? color = null)
    {
        w.WriteStartElement(R);
        w.WriteStartElement(RPr);
        Empty(w, RFonts, A("ascii", font), A("hAnsi", font), A("eastAsia", font), A("cs", font));
        var sz = S(size);
        Empty(w, Sz, A("val", sz));
        Empty(w, SzCs, A("val", sz));
        if (bold) Empty(w, B);
        if (color is not null) Empty(w, C, A("val", color));
        w.WriteEndElement();
        w.WriteStartElement(T, Preserve);
        w.WriteString(text);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    /// <summary>
    /// A paragraph of one run on the 28-point line pitch: justified with a two-character first-line indent unless
    /// aligned otherwise, <paramref name="rightIndentChars"/> characters in from the right (the closing issuer and date).
    /// </summary>
    public static void Para(this OpenXmlWriter w, string text, string font, int size, JustificationValues? align = null, bool bold = false,
        string? color = null, bool firstLineIndent = true, int spacingBefore = 0, int spacingAfter = 0, int rightIndentChars = 0)
    {
        w.WriteStartElement(P);
        w.WriteStartElement(PPr);
        Empty(w, Spacing, A("before", S(spacingBefore)), A("after", S(spacingAfter)), A("line", S(LinePitch)), A("lineRule", "exact"));
        Empty(w, Jc, A("val", Val(align ?? JustificationValues.Both)));
        // Characters for Word, twips for LibreOffice (which ignores the *Chars attributes): two characters of the paragraph's size.
        var em = size * 10;   // twips per character: half-points × 10
        var indent = new List<OpenXmlAttribute>(4);
        if (rightIndentChars > 0)
        {
            indent.Add(A("right", S(rightIndentChars * em)));
            indent.Add(A("rightChars", S(rightIndentChars * 100)));
        }
        if (firstLineIndent && (align is null || align == JustificationValues.Both || align == JustificationValues.Left))
        {
            indent.Add(A("firstLine", S(2 * em)));
            indent.Add(A("firstLineChars", "200"));
        }
        w.WriteStartElement(Ind, indent);
        w.WriteEndElement();
        w.WriteEndElement();
        TextRun(w, text, font, size, bold, color);
        w.WriteEndElement();
    }

    public static void Heading(this OpenXmlWriter w, string text) => w.Para(text, HeadingFont, BodySize);

    public static void Subheading(this OpenXmlWriter w, string text) => w.Para(text, SubheadingFont, BodySize);

    /// <summary>The red rule under the issuer and document number.</summary>
    public static void RedRule(this OpenXmlWriter w)
    {
        w.WriteStartElement(P);
        w.WriteStartElement(PPr);
        w.WriteStartElement(PBdr);
        Empty(w, Bottom, A("val", "single"), A("color", Red), A("sz", "18"), A("space", "1"));
        w.WriteEndElement();
        Empty(w, Spacing, A("after", "240"));
        w.WriteEndElement();
        w.WriteEndElement();
    }

    /// <summary>Opens a bordered table of the text width with these column widths (twips); the caller writes the rows and closes it.</summary>
    public static void TableStart(this OpenXmlWriter w, int[] widths)
    {
        w.WriteStartElement(new Table());
        w.WriteStartElement(new TableProperties());
        Empty(w, new TableWidth(), A("w", S(TextWidth)), A("type", "dxa"));
        Empty(w, new TableLayout(), A("type", "fixed"));
        w.WriteStartElement(new TableBorders());
        OpenXmlElement[] borders = [new TopBorder(), new BottomBorder(), new LeftBorder(), new RightBorder(), new InsideHorizontalBorder(), new InsideVerticalBorder()];
        foreach (var border in borders) Empty(w, border, A("val", "single"), A("sz", "4"));
        w.WriteEndElement();
        Empty(w, new TableJustification(), A("val", "center"));
        w.WriteEndElement();
        w.WriteStartElement(new TableGrid());
        foreach (var width in widths) Empty(w, new GridColumn(), A("w", S(width)));
        w.WriteEndElement();
    }

    /// <summary>A table row: one centred cell of each width, at 小四, the header row in 黑体.</summary>
    public static void Row(this OpenXmlWriter w, int[] widths, bool header, params string[] cells)
    {
        var font = header ? HeadingFont : BodyFont;
        w.WriteStartElement(Tr);
        for (var i = 0; i < cells.Length; i++)
        {
            w.WriteStartElement(Tc);
            w.WriteStartElement(TcPr);
            Empty(w, TcW, A("w", S(widths[i])), A("type", "dxa"));
            w.WriteEndElement();
            w.WriteStartElement(P);
            w.WriteStartElement(PPr);
            Empty(w, Jc, A("val", "center"));
            w.WriteEndElement();
            TextRun(w, cells[i], font, TableSize);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }
}
