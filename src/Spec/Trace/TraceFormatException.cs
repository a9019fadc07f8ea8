namespace Kvmspec.Spec.Trace;

/// <summary>Bad input in a trace or scenario file: where (file, line, field) and what is wrong.</summary>
/// <remarks><see cref="Line"/> is 1-based; 0 when the problem is the file as a whole. <see cref="Field"/>
/// is empty when the line as a whole is wrong (not JSON, not an object).</remarks>
public sealed class TraceFormatException(string file, int line, string field, string problem)
    : Exception($"{file}:{line}: {(field.Length > 0 ? $"field '{field}': " : "")}{problem}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}
