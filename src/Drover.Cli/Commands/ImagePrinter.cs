using System.Globalization;
using Drover.Cli.Output;
using Drover.Hcloud.Contracts;

namespace Drover.Cli.Commands;

/// <summary>Prints one image: JSON in the wire format, or key/value lines.</summary>
internal static class ImagePrinter
{
    public static void Print(CliEnv env, Image image, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            Json.Write(env.IO.Out, image, c => c.Image);
            return;
        }
        var w = env.IO.Out;
        w.WriteLine($"ID:           {image.Id}");
        w.WriteLine($"Type:         {image.Type}");
        w.WriteLine($"Status:       {image.Status}");
        w.WriteLine($"Description:  {image.Description}");
        w.WriteLine($"Architecture: {image.Architecture}");
        w.WriteLine($"Image size:   {(image.ImageSize is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) + " GB" : "-")}");
        w.WriteLine($"Disk size:    {image.DiskSize.ToString("0", CultureInfo.InvariantCulture)} GB");
        w.WriteLine($"Created:      {image.Created:u}");
        w.WriteLine($"Labels:       {(image.Labels.Count == 0 ? "-" : Common.Labels(image.Labels))}");
    }
}
