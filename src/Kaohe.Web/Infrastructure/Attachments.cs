using System.Security.Cryptography;
using Kaohe.Data;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// Where uploaded files (佐证材料, inspection photos, rectification evidence) live. The database
/// keeps an <see cref="Attachment"/> row with the SHA-256; the bytes go to the store. The file-system
/// implementation keeps them under <c>Kaohe:DataDir/attachments</c> (a shared directory when several
/// instances run); object storage would be another implementation of this interface.
/// </summary>
public interface IAttachmentStore
{
    /// <summary>
    /// Checks and stores an upload, and returns the (unsaved) row that points at it. The file is
    /// written to a temporary name and moved into place, so a row never points at half a file;
    /// the caller adds the row in the same save as whatever owns it.
    /// </summary>
    /// <exception cref="UploadRejectedException">too large, empty, of a type not accepted, or not what its name says</exception>
    Task<Attachment> SaveAsync(Stream content, string fileName, string uploadedBy, string ownerKind, string ownerId, CancellationToken ct = default);

    Stream OpenRead(Attachment attachment);

    bool Exists(Attachment attachment);
}

/// <summary>An upload refused before anything was stored; the message names the file and the reason in both languages.</summary>
public sealed class UploadRejectedException(string zh, string en, int status = StatusCodes.Status400BadRequest) : Exception(en)
{
    public string Zh { get; } = zh;
    public string En { get; } = en;
    public int Status { get; } = status;
}

/// <summary>What may be uploaded as evidence: office documents, PDF and photos, each checked by its first bytes.</summary>
public static class UploadRules
{
    public const long DefaultMaxBytes = 20 * 1024 * 1024;

    private static readonly byte[] Pdf = "%PDF"u8.ToArray();
    private static readonly byte[] Zip = [0x50, 0x4B, 0x03, 0x04];
    private static readonly byte[] Ole = [0xD0, 0xCF, 0x11, 0xE0];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47];

    /// <summary>Extension → (content type, accepted leading bytes).</summary>
    public static readonly IReadOnlyDictionary<string, (string ContentType, byte[][] Magic)> Types = new Dictionary<string, (string, byte[][])>(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = ("application/pdf", [Pdf]),
        [".jpg"] = ("image/jpeg", [Jpeg]),
        [".jpeg"] = ("image/jpeg", [Jpeg]),
        [".png"] = ("image/png", [Png]),
        [".webp"] = ("image/webp", ["RIFF"u8.ToArray()]),
        [".docx"] = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", [Zip]),
        [".xlsx"] = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [Zip]),
        [".pptx"] = ("application/vnd.openxmlformats-officedocument.presentationml.presentation", [Zip]),
        [".doc"] = ("application/msword", [Ole]),
        [".xls"] = ("application/vnd.ms-excel", [Ole]),
    };

    public static string Accept => string.Join(",", Types.Keys);

    /// <summary>Photos (inspection findings, re-inspections): the image types only, checked before anything is stored.</summary>
    public static bool IsImage(string? fileName) =>
        Types.TryGetValue(Path.GetExtension(SafeFileName(fileName)), out var t) && t.ContentType.StartsWith("image/", StringComparison.Ordinal);

    public const string ImageAccept = ".jpg,.jpeg,.png,.webp";

    /// <summary>
    /// Refuses a set of uploads by their names before the first is stored: otherwise the files before the
    /// one refused would stay in the store without a row. (Content is checked while storing, where a refusal
    /// leaves nothing behind; what is refused after storing is left to <see cref="AttachmentSweep"/>.)
    /// </summary>
    /// <exception cref="UploadRejectedException">the first name whose type is not accepted (or not an image, with <paramref name="imagesOnly"/>)</exception>
    public static void CheckTypes(IEnumerable<string?> fileNames, bool imagesOnly = false)
    {
        foreach (var fileName in fileNames)
        {
            var name = SafeFileName(fileName);
            if (imagesOnly && !IsImage(name))
                throw new UploadRejectedException($"文件“{name}”不是图片，照片请上传 {ImageAccept}",
                    $"\"{name}\" is not an image; upload a photo as {ImageAccept}", StatusCodes.Status415UnsupportedMediaType);
            if (!Types.ContainsKey(Path.GetExtension(name)))
                throw new UploadRejectedException($"文件“{name}”的类型不受支持，请上传 {Accept}",
                    $"\"{name}\": this file type is not accepted; upload {Accept}", StatusCodes.Status415UnsupportedMediaType);
        }
    }

    /// <summary>The name without any directory part or control characters, at most 200 characters; never empty.</summary>
    public static string SafeFileName(string? name)
    {
        var n = (name ?? "").Replace('\\', '/');
        n = n[(n.LastIndexOf('/') + 1)..];
        n = new string([.. n.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>' or '|' or ':' or '*' or '?'))]).Trim().TrimStart('.');
        if (n.Length > 200) n = n[..100] + "…" + n[^99..];
        return n.Length == 0 ? "file" : n;
    }
}

public sealed class FileSystemAttachmentStore(IConfiguration config, TimeProvider clock) : IAttachmentStore
{
    private readonly string _root = RootOf(config);
    private readonly long _maxBytes = config.GetValue("Kaohe:MaxUploadBytes", UploadRules.DefaultMaxBytes);

    /// <summary>The directory of the store: <c>Kaohe:DataDir/attachments</c>.</summary>
    public static string RootOf(IConfiguration config) => Path.Combine(Database.DataDir(config), "attachments");

    public async Task<Attachment> SaveAsync(Stream content, string fileName, string uploadedBy, string ownerKind, string ownerId, CancellationToken ct = default)
    {
        UploadRules.CheckTypes([fileName]);
        var name = UploadRules.SafeFileName(fileName);
        var ext = Path.GetExtension(name);
        var type = UploadRules.Types[ext];
        try
        {
            Directory.CreateDirectory(_root);
            var temp = Path.Combine(_root, $".upload-{Guid.NewGuid():N}");
            long size = 0;
            byte[] head = new byte[8];
            var headLength = 0;
            string sha;
            try
            {
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                {
                    var buffer = new byte[81920];
                    int read;
                    while ((read = await content.ReadAsync(buffer, ct)) > 0)
                    {
                        size += read;
                        if (size > _maxBytes)
                            throw new UploadRejectedException($"文件“{name}”超过 {_maxBytes / 1024 / 1024} MB 的上限",
                                $"\"{name}\" is larger than the {_maxBytes / 1024 / 1024} MB limit", StatusCodes.Status413PayloadTooLarge);
                        if (headLength < head.Length)
                        {
                            var n = Math.Min(head.Length - headLength, read);
                            Array.Copy(buffer, 0, head, headLength, n);
                            headLength += n;
                        }
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), ct);
                    }
                    await file.FlushAsync(ct);
                    file.Flush(flushToDisk: true);
                    sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                }
                if (size == 0)
                    throw new UploadRejectedException($"文件“{name}”是空的", $"\"{name}\" is empty");
                if (!type.Magic.Any(m => head.AsSpan(0, headLength).StartsWith(m)))
                    throw new UploadRejectedException($"文件“{name}”的内容与扩展名 {ext} 不符", $"\"{name}\": the content is not a {ext} file");
                var stored = StoredName(sha);
                var target = Path.Combine(_root, stored);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                // Content-addressed: the same bytes uploaded twice are kept once. The fresh copy replaces the old
                // one rather than being dropped, so that a sweep removing the old one as an orphan at this moment
                // (AttachmentSweep) cannot leave the row about to be committed without its file.
                File.Move(temp, target, overwrite: true);
                return new Attachment(name, type.ContentType, size, sha, stored, uploadedBy, clock.GetUtcNow(), ownerKind, ownerId);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new UploadRejectedException("附件存储空间不可用（磁盘已满或只读），文件未保存，请联系管理员",
                "The attachment storage is unavailable (full or read-only); the file was not stored. Contact the administrator.", StatusCodes.Status507InsufficientStorage);
        }
        catch (UnauthorizedAccessException)
        {
            throw new UploadRejectedException("附件存储目录不可写，文件未保存，请联系管理员",
                "The attachment directory is not writable; the file was not stored. Contact the administrator.", StatusCodes.Status507InsufficientStorage);
        }
    }

    public Stream OpenRead(Attachment attachment) => new FileStream(PathOf(attachment), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);

    public bool Exists(Attachment attachment) => File.Exists(PathOf(attachment));

    private string PathOf(Attachment a) => Path.Combine(_root, a.StoredName);

    private static string StoredName(string sha) => Path.Combine(sha[..2], sha);
}
