using System.IO.Compression;

namespace Kaohe.Web.Infrastructure;

/// <summary>A reason an uploaded workbook is refused before any spreadsheet library opens it.</summary>
public sealed record XlsxRefusal(string Zh, string En);

/// <summary>A spreadsheet library failed while reading an uploaded workbook (see <see cref="XlsxGuard.Reading{T}"/>).</summary>
public sealed class UnreadableWorkbookException(Exception inner) : Exception("the workbook cannot be read", inner);

/// <summary>
/// Checks an uploaded .xlsx as a zip before MiniExcel or OpenXml parse it: a small file may unpack to
/// gigabytes (a zip bomb), hold thousands of entries or lie about its sizes in the central directory.
/// Every entry is inflated through a counting stream that stops at the limit, so the check costs at
/// most <paramref name="maxUnpackedBytes"/> of inflation and a fixed buffer of memory, whatever the
/// headers claim. Every importer calls this first.
/// </summary>
public static class XlsxGuard
{
    public const int MaxEntries = 2000;
    public const long DefaultMaxUnpackedBytes = 100 * 1024 * 1024;

    public static bool LooksLikeZip(ReadOnlySpan<byte> b) => b is [0x50, 0x4B, 0x03, 0x04, ..];

    /// <summary>
    /// What a spreadsheet library may throw while it reads an uploaded workbook that passed <see cref="Check"/>:
    /// anything but cancellation and running out of memory. The file comes from outside and the libraries'
    /// failures on damaged input are open-ended (the fuzz met XmlException, FormatException, KeyNotFoundException
    /// and a NullReferenceException inside MiniExcel's style reader for one flipped byte), so every importer
    /// catches with this one rule around the library's reading, and answers naming the file, never a 500.
    /// </summary>
    public static bool IsUnreadable(Exception ex) => ex is not (OperationCanceledException or OutOfMemoryException or InsufficientExecutionStackException);

    /// <summary>
    /// Rows a library reads lazily, for a loop that checks each row as it comes: what the library throws while
    /// reading becomes an <see cref="UnreadableWorkbookException"/>; what the loop's own code throws stays what it is.
    /// </summary>
    public static IEnumerable<T> Reading<T>(IEnumerable<T> rows)
    {
        IEnumerator<T> e;
        try { e = rows.GetEnumerator(); }
        catch (Exception ex) when (IsUnreadable(ex)) { throw new UnreadableWorkbookException(ex); }
        using (e)
            while (true)
            {
                T current;
                try
                {
                    if (!e.MoveNext()) yield break;
                    current = e.Current;
                }
                catch (Exception ex) when (IsUnreadable(ex)) { throw new UnreadableWorkbookException(ex); }
                yield return current;
            }
    }

    public static XlsxRefusal? Check(byte[] bytes, long maxUnpackedBytes = DefaultMaxUnpackedBytes) =>
        Check(new MemoryStream(bytes, writable: false), maxUnpackedBytes);

    /// <summary>The same check on an uploaded file (buffered by the form reader, so seekable).</summary>
    public static XlsxRefusal? Check(IFormFile file)
    {
        using var s = file.OpenReadStream();
        return Check(s);
    }

    /// <summary>The same check on a seekable stream (an upload buffered to disk), which is left open.</summary>
    public static XlsxRefusal? Check(Stream seekable, long maxUnpackedBytes = DefaultMaxUnpackedBytes)
    {
        Span<byte> bytes = stackalloc byte[4];
        seekable.Position = 0;
        bytes = bytes[..seekable.ReadAtLeast(bytes, 4, throwOnEndOfStream: false)];
        seekable.Position = 0;
        if (!LooksLikeZip(bytes))
            return bytes is [0xD0, 0xCF, 0x11, 0xE0, ..]
                ? new("文件是旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入", "the file is in the old .xls format: save it as .xlsx in Excel and import again")
                : new("文件不是 .xlsx 工作簿", "the file is not an .xlsx workbook");
        var tooBig = new XlsxRefusal($"工作簿解压后超过 {maxUnpackedBytes / 1024 / 1024} MB，不予导入",
            $"the workbook unpacks to more than {maxUnpackedBytes / 1024 / 1024} MB and is refused");
        try
        {
            using var zip = new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > MaxEntries)
                return new($"工作簿包含的部件过多（超过 {MaxEntries} 个），不予导入", $"the workbook has more than {MaxEntries} parts and is refused");
            long declared = 0;
            foreach (var e in zip.Entries)
            {
                if (e.Length < 0 || (declared += e.Length) > maxUnpackedBytes) return tooBig;
                // Names are paths inside the package; none may climb out of it.
                if (e.FullName.Contains("..", StringComparison.Ordinal) || e.FullName.StartsWith('/') || e.FullName.Contains('\\'))
                    return new("工作簿包含非法的部件路径", "the workbook holds a part with an illegal path");
            }
            // The declared sizes may lie: inflate for real, counting, and stop at the limit.
            var buffer = new byte[81920];
            long total = 0;
            foreach (var e in zip.Entries)
            {
                using var s = e.Open();
                int n;
                while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
                    if ((total += n) > maxUnpackedBytes) return tooBig;
            }
            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            return new("文件不是有效的 .xlsx 工作簿（压缩包已损坏）", "the file is not a valid .xlsx workbook (the package is damaged)");
        }
    }
}
