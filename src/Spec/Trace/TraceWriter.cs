using System.Text.Json;

namespace Kvmspec.Spec.Trace;

/// <summary>Writes a version-1 JSON Lines trace as it is produced: the header, one line per event,
/// and an <c>end</c> record with the event count, so that a reader can tell a complete trace from a
/// truncated one. Nothing is kept in memory but the count.</summary>
public sealed class TraceWriter : IDisposable
{
    private readonly Stream stream;
    private readonly Utf8JsonWriter json;
    private readonly bool ownsStream;
    private long count;
    private bool ended;

    public TraceWriter(Stream stream, TraceHeader header, bool ownsStream = false)
    {
        this.stream = stream;
        this.ownsStream = ownsStream;
        json = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
        Line(TraceJson.Header(header));
    }

    public static TraceWriter Create(string path, TraceHeader header) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), header, ownsStream: true);

    public void Write(TraceEvent e)
    {
        Line(TraceJson.Event(e));
        count++;
    }

    /// <summary>Writes the end record; further writes are an error.</summary>
    public void End()
    {
        if (ended) return;
        Line(new System.Text.Json.Nodes.JsonObject { ["v"] = TraceJson.Version, ["kind"] = "end", ["events"] = count });
        ended = true;
        json.Flush();
    }

    private void Line(System.Text.Json.Nodes.JsonObject o)
    {
        if (ended) throw new InvalidOperationException("the trace has ended");
        o.WriteTo(json);
        json.Flush();
        json.Reset();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>Writes a whole trace to <paramref name="stream"/>.</summary>
    public static void WriteAll(Stream stream, Trace t)
    {
        using var w = new TraceWriter(stream, t.Header);
        foreach (var e in t.Events) w.Write(e);
        w.End();
    }

    /// <summary>A whole trace as the bytes of its file.</summary>
    public static byte[] Bytes(Trace t)
    {
        var ms = new MemoryStream();
        WriteAll(ms, t);
        return ms.ToArray();
    }

    public void Dispose()
    {
        End();
        json.Dispose();
        if (ownsStream) stream.Dispose();
        else stream.Flush();
    }
}
