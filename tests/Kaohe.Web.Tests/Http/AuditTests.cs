using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Tests.Http;

public sealed class AuditOnSqlite(SqliteApp app) : AuditTests(app), IClassFixture<SqliteApp>
{
    protected override string[] CliArgs => ["--data-dir", app.DataDir];
}

public sealed class AuditOnPostgres(PostgresApp app) : AuditTests(app), IClassFixture<PostgresApp>
{
    protected override string[] CliArgs => ["--provider", "Postgres", "--connection", app.ConnectionString];
}

/// <summary>The hash-chained audit trail: intact after real changes, broken by any edit made behind the application's back.</summary>
public abstract class AuditTests(KaoheApp app)
{
    protected abstract string[] CliArgs { get; }

    private int Cli()
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        return Kaohe.Cli.VerifyAudit.Run(CliArgs, o, e);
    }

    [Fact]
    public async Task The_chain_is_intact_after_changes_and_a_modified_row_is_found()
    {
        using var c = await app.As("office");
        // A real change through the API, audited in the same transaction.
        var source = (await c.GetFromJsonAsync<JsonElement[]>("/api/v1/schemes"))!.First();
        Assert.Equal(HttpStatusCode.Created, (await c.PostAsync($"/api/v1/schemes/{source.GetProperty("id").GetInt32()}/clone?period=2023-Q2", null)).StatusCode);

        var ok = await c.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(ok.GetProperty("ok").GetBoolean(), ok.ToString());
        Assert.Equal(0, Cli());

        var target = await app.Db(db => db.AuditEntries.OrderBy(e => e.Sequence).Skip(1).Select(e => e.Sequence).FirstAsync());
        var reason = await app.Db(db => db.AuditEntries.Where(e => e.Sequence == target).Select(e => e.Reason).FirstAsync());
        await app.Sql($"UPDATE \"AuditLog\" SET \"Reason\" = 'changed behind the application''s back' WHERE \"Sequence\" = {target}");

        var broken = await c.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.False(broken.GetProperty("ok").GetBoolean());
        Assert.Equal(target, broken.GetProperty("brokenAtSequence").GetInt64());
        Assert.Equal(1, Cli());

        // Put the row back as it was: the chain verifies again, so it was exactly that row.
        await app.Db(db => db.Database.ExecuteSqlAsync($"UPDATE \"AuditLog\" SET \"Reason\" = {reason} WHERE \"Sequence\" = {target}"));
        Assert.True((await c.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify")).GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_deleted_row_breaks_the_chain_at_the_gap()
    {
        var entries = await app.Db(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        Assert.True(entries.Count >= 3);
        var withoutOne = entries.Where(e => e.Sequence != 2).ToList();
        var check = AuditChain.Verify(withoutOne);
        Assert.False(check.Ok);
        Assert.Equal(3, check.BrokenAtSequence);
        Assert.True(AuditChain.Verify(entries).Ok);
    }

    [Fact]
    public async Task Only_the_office_reads_the_audit_log()
    {
        using var viewer = await app.As("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/v1/audit")).StatusCode);
        using var office = await app.As("office");
        var log = await office.GetFromJsonAsync<JsonElement[]>("/api/v1/audit");
        Assert.NotEmpty(log!);
        Assert.All(log!, e => Assert.Equal(64, e.GetProperty("hash").GetString()!.Length));
    }
}
