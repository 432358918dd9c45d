using Drover.LocalCloud.Hosting;

namespace Drover.Cli;

/// <summary>The local cloud of this user, run by this very program (<c>drover local serve</c>).</summary>
internal static class LocalCloudAccess
{
    public static LocalCloudManager Manager(DroverPaths paths, CliIO io)
        => new(paths.LocalDirectory, io.Env, io.Error, ServeCommand(io));

    /// <summary>This program: <c>DROVER_SELF</c> (a binary or a .dll), else the running executable, or <c>dotnet drover.dll</c>.</summary>
    private static LocalCloudServeCommand ServeCommand(CliIO io)
    {
        var self = io.Env("DROVER_SELF");
        if (self is null)
        {
            var process = Environment.ProcessPath ?? throw new LocalCloudException("cannot tell which program this is");
            if (Path.GetFileNameWithoutExtension(process) != "dotnet")
            {
                return new LocalCloudServeCommand(process, []);
            }
            self = typeof(LocalCloudAccess).Assembly.Location;
        }
        return self.EndsWith(".dll", StringComparison.Ordinal) ? new LocalCloudServeCommand("dotnet", [self]) : new LocalCloudServeCommand(self, []);
    }
}
