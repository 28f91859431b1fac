using System.Runtime.CompilerServices;

namespace Kaohe.Web.Tests.Infrastructure;

/// <summary>
/// The test process starts hundreds of in-process hosts, and by default each watches its appsettings files and its
/// content root with inotify. Inotify instances are limited per user (128 on these machines) and shared with every
/// other process of that user, so on a busy machine a host failed to start with "The configured user limit (128) on
/// the number of inotify instances has been reached". The tests never change those files: no host of this process
/// reloads its configuration, and file providers poll instead of watching.
/// </summary>
internal static class NoFileWatchers
{
#pragma warning disable CA2255 // a test assembly, not a library: the setting must precede the first host
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
    }
}
