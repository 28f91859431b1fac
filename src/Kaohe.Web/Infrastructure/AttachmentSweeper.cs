using Kaohe.Data;

namespace Kaohe.Web.Infrastructure;

/// <summary>Sweeps the attachment store once a day (<c>Kaohe:Attachments:SweepHours</c>, 24; 0 turns it off).</summary>
public sealed class AttachmentSweeper(IServiceScopeFactory scopes, IConfiguration config, TimeProvider clock, ILogger<AttachmentSweeper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var hours = config.GetValue("Kaohe:Attachments:SweepHours", 24.0);
        if (hours <= 0) return;
        var grace = TimeSpan.FromHours(config.GetValue("Kaohe:Attachments:OrphanGraceHours", AttachmentSweep.DefaultGrace.TotalHours));
        using var timer = new PeriodicTimer(TimeSpan.FromHours(hours), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
                var result = await AttachmentSweep.RunAsync(FileSystemAttachmentStore.RootOf(config), db, clock.GetUtcNow(), grace, dryRun: false, stoppingToken);
                log.LogInformation("Attachment sweep: {Result}", result.ToString());
            }
            // Like every loop of the host: a failure (the database restarting) must not stop the application.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(ex, "The attachment sweep failed; it runs again at the next interval");
            }
        }
    }
}
