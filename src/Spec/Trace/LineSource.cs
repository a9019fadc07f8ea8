using System.Text;

namespace Kvmspec.Spec.Trace;

/// <summary>Reads a stream as lines of UTF-8 bytes, each at most <see cref="MaxLineBytes"/> long, so
/// that a file without newlines (binary garbage, a truncated dump) cannot exhaust memory.</summary>
internal sealed class LineSource(Stream stream, string file)
{
    public const int MaxLineBytes = 1 << 20;

    private readonly byte[] buffer = new byte[1 << 16];
    private int start, end;
    private bool eof;
    private byte[] line = new byte[256];

    /// <summary>The 1-based number of the line last returned.</summary>
    public int LineNumber { get; private set; }

    /// <summary>The next line without its terminator (a trailing CR is dropped), or false at the end.</summary>
    public bool Next(out ReadOnlyMemory<byte> result)
    {
        int length = 0;
        while (true)
        {
            if (start == end)
            {
                if (eof || !Fill())
                {
                    if (length == 0) { result = default; return false; }
                    break;
                }
            }
            int nl = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            int take = (nl < 0 ? end : nl) - start;
            if (length + take > MaxLineBytes)
                throw new TraceFormatException(file, LineNumber + 1, "", $"line longer than {MaxLineBytes} bytes (not a JSON Lines trace?)");
            if (length + take > line.Length) Array.Resize(ref line, Math.Max(line.Length * 2, length + take));
            Buffer.BlockCopy(buffer, start, line, length, take);
            length += take;
            start += take;
            if (nl >= 0) { start++; break; }
        }
        LineNumber++;
        if (length > 0 && line[length - 1] == '\r') length--;
        result = line.AsMemory(0, length);
        return true;
    }

    private bool Fill()
    {
        start = 0;
        end = stream.Read(buffer, 0, buffer.Length);
        if (end == 0) eof = true;
        return end > 0;
    }

    public static string Preview(ReadOnlySpan<byte> bytes) =>
        Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, 60)]).Replace('\0', '.');
}
