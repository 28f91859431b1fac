using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kaohe.Data;

public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// <summary>
/// A piece of long work (a 100,000-row import, a national bulletin) run by one instance in the
/// background (Features/Jobs). Its progress lives here, so that the person who started it can leave
/// the page and come back, on any instance. Its id is a random GUID (no enumeration of others' jobs).
/// </summary>
public sealed class Job
{
    private Job() { }

    public Job(string kind, string owner, string ownerRole, string? periodId, string? input, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        Id = Guid.NewGuid().ToString("N");
        Kind = kind;
        Owner = owner;
        OwnerRole = ownerRole;
        PeriodId = periodId;
        Input = input;
        CreatedAt = createdAt;
        Status = JobStatus.Queued;
    }

    public string Id { get; private set; } = "";
    public string Kind { get; private set; } = "";

    /// <summary>The user name of who started it: only they (and the office) see it.</summary>
    public string Owner { get; private set; } = "";
    public string OwnerRole { get; private set; } = "";
    public string? PeriodId { get; private set; }

    /// <summary>The job's parameters as JSON (e.g. the uploaded file's attachment id).</summary>
    public string? Input { get; private set; }

    public JobStatus Status { get; private set; }
    public long Done { get; private set; }
    public long Total { get; private set; }
    public string? Message { get; private set; }

    /// <summary>What it produced: a downloadable file (an <see cref="Attachment"/> with owner kind "job") and/or a link.</summary>
    public long? ResultAttachmentId { get; private set; }
    public string? ResultLink { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Row errors of a refused import as JSON: { "Sheet!C5": ["message", ...] }.</summary>
    public string? Errors { get; private set; }

    /// <summary>Which process runs it, and when it last said it was alive: a job whose instance died is failed by the next sweep.</summary>
    public string? Instance { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? HeartbeatAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }

    public bool Finished => Status is JobStatus.Succeeded or JobStatus.Failed;

    public void Succeed(string? message, long? attachmentId, string? link, DateTimeOffset at)
    {
        Status = JobStatus.Succeeded;
        Message = message;
        ResultAttachmentId = attachmentId;
        ResultLink = link;
        if (Total == 0) Total = 1;
        Done = Total;
        FinishedAt = at;
    }

    public void Fail(string error, string? errorsJson, DateTimeOffset at)
    {
        Status = JobStatus.Failed;
        Error = error;
        Errors = errorsJson;
        FinishedAt = at;
    }
}

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> b)
    {
        b.ToTable("Jobs");
        b.Property(x => x.Id).HasMaxLength(32);
        b.Property(x => x.Kind).HasMaxLength(32);
        b.Property(x => x.Owner).HasMaxLength(100);
        b.Property(x => x.OwnerRole).HasMaxLength(16);
        b.Property(x => x.PeriodId).HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Message).HasMaxLength(500);
        b.Property(x => x.ResultLink).HasMaxLength(300);
        b.Property(x => x.Error).HasMaxLength(2000);
        b.Property(x => x.Instance).HasMaxLength(64);
        b.HasIndex(x => new { x.Owner, x.CreatedAt });
        b.HasIndex(x => new { x.Status, x.CreatedAt });
    }
}
