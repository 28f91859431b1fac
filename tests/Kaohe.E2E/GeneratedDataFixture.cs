namespace Kaohe.E2E;

/// <summary>
/// The application on a dataset that <c>kaohe generate --scale small</c> wrote (60 housing bureaus in a few ranking
/// groups, four quarters of facts, survey responses and rectification items; issue 9) instead of the demo. The
/// generator creates one account, <c>office</c>, here with the demo's password so that the common sign-in works.
/// </summary>
public sealed class GeneratedDataFixture : BrowserFixture
{
    protected override async Task PrepareAsync(string dataDir)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        // As on the console: the verb blocks on its own async work, so it runs on the thread pool.
        var code = await Task.Run(() => Kaohe.Cli.Program.Run(["generate", "--scale", "small", "--out", dataDir, "--password", Password], new StringReader(""), stdout, stderr));
        if (code != 0) throw new InvalidOperationException($"kaohe generate exited {code}: {stderr}{stdout}");
    }
}
