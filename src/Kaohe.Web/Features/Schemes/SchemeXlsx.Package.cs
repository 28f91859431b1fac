using System.IO.Compression;
using System.Xml;
using Kaohe.Scoring;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Schemes;

/// <summary>What an uploaded file must pass before its cells are read: its size, the package, no formula cells.</summary>
public static partial class SchemeXlsx
{
    internal static byte[]? ReadLimited(Stream s, List<ValidationError> errors)
    {
        if (s.CanSeek && s.Length - s.Position > MaxBytes)
        {
            errors.Add(TooLarge());
            return null;
        }
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > MaxBytes)
            {
                errors.Add(TooLarge());
                return null;
            }
        }
        if (ms.Length == 0)
        {
            errors.Add(new ValidationError("file", "文件为空", "the file is empty"));
            return null;
        }
        return ms.ToArray();
    }

    private static ValidationError TooLarge() =>
        new("file", $"文件超过 {MaxBytes / 1024 / 1024} MB，不予导入", $"the file is larger than {MaxBytes / 1024 / 1024} MB and is refused");

    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// <summary>
    /// Opens the package and refuses what is not a workbook, what unpacks to more than
    /// <see cref="MaxUnpackedBytes"/> (a small zip may unpack to gigabytes) and any formula cell:
    /// the scheme must hold values, not what Excel last computed. A streaming read of the sheet XML,
    /// since this runs before anything else on every upload.
    /// </summary>
    internal static bool CheckPackage(byte[] bytes, List<ValidationError> errors)
    {
        var notWorkbook = new ValidationError("file", "文件不是有效的 .xlsx 工作簿", "the file is not a valid .xlsx workbook");
        // Sizes, entry count and real inflated bytes first: the declared sizes alone may lie.
        if (XlsxGuard.Check(bytes, MaxUnpackedBytes) is { } refused)
        {
            errors.Add(new ValidationError("file", refused.Zh, refused.En));
            return false;
        }
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            var workbook = zip.GetEntry("xl/workbook.xml");
            var rels = zip.GetEntry("xl/_rels/workbook.xml.rels");
            if (workbook is null || rels is null)
            {
                errors.Add(notWorkbook);
                return false;
            }
            var targets = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var x = XmlReader.Create(rels.Open()))
                while (x.Read())
                    if (x.NodeType == XmlNodeType.Element && x.LocalName == "Relationship" && x.GetAttribute("Id") is { } id && x.GetAttribute("Target") is { } target)
                        targets[id] = target.StartsWith('/') ? target.TrimStart('/') : "xl/" + target;
            var sheets = new List<(string Name, string Path)>();
            using (var x = XmlReader.Create(workbook.Open()))
                while (x.Read())
                    if (x.NodeType == XmlNodeType.Element && x.LocalName == "sheet" && x.NamespaceURI == MainNs
                        && x.GetAttribute("name") is { } name && x.GetAttribute("id", RelNs) is { } rid && targets.TryGetValue(rid, out var path))
                        sheets.Add((name, path));
            if (sheets.Count == 0)
            {
                errors.Add(new ValidationError("file", "文件不是 .xlsx 工作簿（没有工作表）", "the file is not an .xlsx workbook (it has no sheets)"));
                return false;
            }
            foreach (var (name, path) in sheets)
            {
                if (zip.GetEntry(path) is not { } entry) continue;
                using var x = XmlReader.Create(entry.Open());
                var cell = "?";
                while (x.Read())
                {
                    if (x.NodeType != XmlNodeType.Element || x.NamespaceURI != MainNs) continue;
                    if (x.LocalName == "c") cell = x.GetAttribute("r") ?? "?";
                    else if (x.LocalName == "f")
                    {
                        var (col, row) = SplitReference(cell);
                        errors.Add(new ValidationError($"{name}!{cell}",
                            $"{name}!第{row}行 {col}列: 单元格含公式，请改为数值或文字（复制后“粘贴为数值”）",
                            $"sheet {name} row {row} column {col}: the cell holds a formula; replace it by its value (copy, paste as values)"));
                    }
                }
            }
            return errors.Count == 0;
        }
        catch (Exception ex) when (XlsxGuard.IsUnreadable(ex))
        {
            errors.Add(notWorkbook);
            return false;
        }
    }

    private static (string Col, string Row) SplitReference(string reference)
    {
        var i = 0;
        while (i < reference.Length && char.IsLetter(reference[i])) i++;
        return (reference[..i], reference[i..]);
    }
}
