using System.Globalization;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Jobs;

/// <summary>Writes a job's file to a temporary file, then stores it through <see cref="IAttachmentStore"/> as an attachment of the job.</summary>
internal static class JobFiles
{
    public static async Task<Attachment> StoreAsync(JobContext context, string fileName, Action<Stream> write, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), "kaohe-job-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024))
                write(file);
            await using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
            var store = context.Get<IAttachmentStore>();
            var db = context.Get<KaoheDbContext>();
            var audit = context.Get<AuditLog>();
            var a = await store.SaveAsync(read, fileName, context.Job.Owner, JobAttachmentPolicy.Kind, context.Job.Id, ct);
            db.Attachments.Add(a);
            audit.Record("job.result", "attachment", () => a.Id.ToString(CultureInfo.InvariantCulture), null, new { a.FileName, a.Size, a.Sha256, job = context.Job.Id });
            await audit.SaveAsync(ct);
            return a;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
