using System.Diagnostics;

namespace Drover.Cli;

/// <summary>Makes throwaway ed25519 key pairs with OpenSSH's <c>ssh-keygen</c>.</summary>
public static class SshKeygen
{
    /// <summary>Generates a key pair in a temporary directory, deletes the private half, returns the public key line.</summary>
    public static async Task<string> GenerateAsync(string comment, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("drover-key-");
        try
        {
            var path = Path.Combine(dir.FullName, "id_ed25519");
            var start = new ProcessStartInfo("ssh-keygen") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path })
            {
                start.ArgumentList.Add(a);
            }
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("ssh-keygen is needed (install openssh-client): " + e.Message, e);
            }
            using (process)
            {
                await process.WaitForExitAsync(cancellationToken);
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"ssh-keygen failed: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
                }
            }
            return (await File.ReadAllTextAsync(path + ".pub", cancellationToken)).Trim();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
