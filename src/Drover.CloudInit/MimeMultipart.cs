using System.Globalization;
using System.Text;

namespace Drover.CloudInit;

/// <summary>Joins parts into one MIME <c>multipart/mixed</c> document in the form cloud-init reads.</summary>
internal static class MimeMultipart
{
    private const string BoundaryStem = "==drover-boundary-";

    public static string Build(IReadOnlyList<RenderedPart> parts)
    {
        var boundary = PickBoundary(parts);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Content-Type: multipart/mixed; boundary=\"{boundary}\"\n")
            .Append("MIME-Version: 1.0\n")
            .Append('\n');
        foreach (var part in parts)
        {
            var encoding = part.Content.All(char.IsAscii) ? "7bit" : "8bit";
            text.Append(CultureInfo.InvariantCulture, $"--{boundary}\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Type: {part.ContentType}; charset=\"utf-8\"\n")
                .Append("MIME-Version: 1.0\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Transfer-Encoding: {encoding}\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Disposition: attachment; filename=\"{FileName(part.SourceName)}\"\n")
                .Append('\n')
                .Append(part.Content)
                .Append('\n'); // belongs to the next delimiter (RFC 2046), so the part keeps its last line break
        }

        return text.Append(CultureInfo.InvariantCulture, $"--{boundary}--\n").ToString();
    }

    /// <summary>A deterministic boundary that occurs in none of the parts.</summary>
    private static string PickBoundary(IReadOnlyList<RenderedPart> parts)
    {
        for (var n = 0; ; n++)
        {
            var boundary = BoundaryStem + n.ToString(CultureInfo.InvariantCulture) + "==";
            if (!parts.Any(p => p.Content.Contains(boundary, StringComparison.Ordinal)
                || p.Content.Contains(BoundaryStem + n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))
            {
                return boundary;
            }
        }
    }

    /// <summary>The base name, without quotes, backslashes or line breaks, so the header stays one valid line.</summary>
    private static string FileName(string sourceName)
    {
        var name = Path.GetFileName(sourceName);
        var clean = new string(name.Where(c => c is not ('"' or '\\') && !char.IsControl(c)).ToArray());
        return clean.Length == 0 ? "part" : clean;
    }
}
