using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Scenarios;

/// <summary>One entry of a scenario's <c>expect</c> list, checked against the whole trace.</summary>
/// <remarks><c>Line</c>: the line of the scenario file it came from, for messages.</remarks>
public abstract record Expectation(int Line)
{
    /// <summary>Null when the trace meets the expectation, else why not.</summary>
    public abstract string? Failure(Trace t, IReadOnlyList<Verdict> verdicts);

    public abstract string Describe();

    public sealed override string ToString() => Describe();

    protected static string Hex(ulong v) => $"0x{v:X}";
    protected static string Hex(IEnumerable<ulong> vs) => $"[{string.Join(", ", vs.Select(Hex))}]";
}

/// <summary>Which trace events an expectation selects, with optional field filters.</summary>
/// <remarks><c>Of</c>: exit, run_fails, guest_exc, retired, run, guest_read, guest_write;
/// <c>Nth</c>: 1-based among the events the other filters select.</remarks>
public sealed record Selector(string Of, KvmExitReason? Reason = null, string? ExcKind = null, ulong? Pc = null, ulong? Elr = null,
    ulong? Far = null, bool? IsWrite = null, ulong? PhysAddr = null, int? Len = null, ExceptionClass? Ec = null, Errno? Errno = null,
    RetiredBy? By = null, ulong? Data = null, SysReg? Reg = null, ulong? Value = null, ulong? Mask = null, int? Nth = null)
{
    /// <summary>The guest exception kinds, by syndrome class or vector.</summary>
    public static readonly ImmutableDictionary<string, string> ExcKinds = new Dictionary<string, string>
    {
        ["brk"] = "BRK64", ["hw_bp"] = "BREAKPT_CUR", ["wp"] = "WATCHPT_CUR", ["ss"] = "SOFTSTP_CUR", ["svc"] = "SVC64",
        ["sea"] = "DABT_CUR", ["irq"] = "the IRQ vector", ["serror"] = "the SError vector",
    }.ToImmutableDictionary();

    public IEnumerable<(int Index, TraceEvent Event)> Select(Trace t)
    {
        var all = t.Events.Select((e, i) => (i, e)).Where(p => Matches(p.e));
        return Nth is { } n ? all.Skip(n - 1).Take(1) : all;
    }

    public bool Matches(TraceEvent e) => e switch
    {
        Exit x when Of == "exit" => (Reason is null || x.Reason == Reason) && (Pc is null || x.Pc == Pc)
            && (Ec is null || x.Payload is DebugPayload d && d.Esr.EC == Ec)
            && (IsWrite is null && PhysAddr is null && Len is null || x.Payload is MmioPayload m && (IsWrite is null || m.IsWrite == IsWrite) && (PhysAddr is null || m.PhysAddr == PhysAddr) && (Len is null || m.Len == Len))
            && (Far is null || x.Payload is DebugPayload df && df.Arch.far == Far),
        RunFailed f when Of == "run_fails" => (Errno is null || f.Errno == Errno) && (Pc is null || f.Pc == Pc),
        ExceptionTaken x when Of == "guest_exc" => (ExcKind is null || KindOf(x) == ExcKind) && (Pc is null || x.Elr == Pc) && (Elr is null || x.Elr == Elr),
        Retired r when Of == "retired" => (Pc is null || r.Pc == Pc) && (By is null || r.By == By) && (Data is null || r.Data == Data),
        Run when Of == "run" => true,
        GuestRegRead g when Of == "guest_read" => (Reg is null || g.Reg == Reg) && (Value is null || (g.Value & (Mask ?? ulong.MaxValue)) == Value),
        GuestRegWrite g when Of == "guest_write" => (Reg is null || g.Reg == Reg) && (Value is null || (g.Value & (Mask ?? ulong.MaxValue)) == Value),
        _ => false,
    };

    public static string? KindOf(ExceptionTaken x) => x.Esr?.EC switch
    {
        ExceptionClass.BRK64 => "brk",
        ExceptionClass.BREAKPT_CUR => "hw_bp",
        ExceptionClass.WATCHPT_CUR => "wp",
        ExceptionClass.SOFTSTP_CUR => "ss",
        ExceptionClass.SVC64 => "svc",
        ExceptionClass.DABT_CUR => "sea",
        ExceptionClass.SERROR => "serror",
        null when x.Vector == GuestProgram.Vbar + VectorOffset.CurrentSpxIrq => "irq",
        null when x.Vector == GuestProgram.Vbar + VectorOffset.CurrentSpxSError => "serror",
        _ => x.Esr?.EC.ToString(),
    };

    public string Describe()
    {
        var parts = new List<string>();
        if (Reason is { } r) parts.Add($"reason {r}");
        if (ExcKind is { } k) parts.Add($"kind {k}");
        if (Pc is { } pc) parts.Add($"pc 0x{pc:X}");
        if (Elr is { } elr) parts.Add($"elr 0x{elr:X}");
        if (Ec is { } ec) parts.Add($"esr_ec {ec}");
        if (IsWrite is { } w) parts.Add(w ? "write" : "read");
        if (PhysAddr is { } pa) parts.Add($"phys_addr 0x{pa:X}");
        if (Len is { } len) parts.Add($"len {len}");
        if (Far is { } far) parts.Add($"far 0x{far:X}");
        if (Errno is { } er) parts.Add($"errno {er}");
        if (By is { } by) parts.Add($"by {by.ToString().ToLowerInvariant()}");
        if (Data is { } data) parts.Add($"data 0x{data:X}");
        if (Reg is { } reg) parts.Add($"reg {reg}");
        if (Value is { } value) parts.Add($"value 0x{value:X}{(Mask is { } m ? $" under mask 0x{m:X}" : "")}");
        if (Nth is { } n) parts.Add($"nth {n}");
        return parts.Count == 0 ? Of : $"{Of} ({string.Join(", ", parts)})";
    }
}

/// <summary>At least one event (or, with <c>nth</c>, the nth) matches: <c>exit</c>, <c>run_fails</c>,
/// <c>guest_exc</c>, <c>retired</c>, <c>guest_read</c>, <c>guest_write</c>.</summary>
public sealed record Exists(int Line, Selector What) : Expectation(Line)
{
    public override string? Failure(Trace t, IReadOnlyList<Verdict> verdicts)
    {
        if (What.Select(t).Any()) return null;
        var loose = new Selector(What.Of);
        var seen = loose.Select(t).Select(p => $"{p.Index}: {p.Event.Describe()}").Take(8).ToList();
        return $"no {What.Describe()} in the trace; the {What.Of} events are: {(seen.Count == 0 ? "none" : string.Join("; ", seen))}";
    }

    public override string Describe() => What.Describe();
}

/// <summary><c>no_exit</c>, <c>no_guest_exc</c>, <c>no_retired</c>: no event matches.</summary>
public sealed record Absent(int Line, Selector What) : Expectation(Line)
{
    public override string? Failure(Trace t, IReadOnlyList<Verdict> verdicts) =>
        What.Select(t).FirstOrDefault() is { Event: not null } hit ? $"event {hit.Index} is {hit.Event.Describe()}, but no {What.Describe()} was expected" : null;

    public override string Describe() => $"no {What.Describe()}";
}

/// <summary><c>count</c>: exactly <c>Eq</c> events match.</summary>
public sealed record Count(int Line, Selector What, int Eq) : Expectation(Line)
{
    public override string? Failure(Trace t, IReadOnlyList<Verdict> verdicts)
    {
        int n = What.Select(t).Count();
        return n == Eq ? null : $"{n} × {What.Describe()}, expected {Eq}";
    }

    public override string Describe() => $"count of {What.Describe()} = {Eq}";
}

/// <summary><c>pc_seq</c>: the PCs of successive step events, in order. <c>Of</c>: <c>host_steps</c> (the
/// pc of each KVM_EXIT_DEBUG with a software-step syndrome), <c>guest_steps</c> (the ELR of each guest
/// software-step exception), <c>debug_exits</c> (the pc of every KVM_EXIT_DEBUG), <c>retired</c> (every
/// retirement's pc).</summary>
public sealed record PcSequence(int Line, string Of, ImmutableArray<ulong> Eq) : Expectation(Line)
{
    public static readonly ImmutableArray<string> Kinds = ["host_steps", "guest_steps", "debug_exits", "retired"];

    public override string? Failure(Trace t, IReadOnlyList<Verdict> verdicts)
    {
        var seen = Pcs(t).ToList();
        return seen.SequenceEqual(Eq) ? null : $"{Of} at {Hex(seen)}, expected {Hex(Eq)}";
    }

    private IEnumerable<ulong> Pcs(Trace t) => t.Events.SelectMany(e => e switch
    {
        Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG, Payload: DebugPayload d, Pc: { } pc } when Of == "host_steps" && d.Esr.EC is ExceptionClass.SOFTSTP_LOW or ExceptionClass.SOFTSTP_CUR => [pc],
        Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG, Pc: { } pc } when Of == "debug_exits" => [pc],
        ExceptionTaken { Esr.EC: ExceptionClass.SOFTSTP_CUR } x when Of == "guest_steps" => [x.Elr],
        Retired r when Of == "retired" => [r.Pc],
        _ => Array.Empty<ulong>(),
    });

    public override string Describe() => $"{Of} at {Hex(Eq)}";
}

/// <summary><c>reg</c>: the last KVM_GET_ONE_REG of <c>Reg</c> in the trace read <c>Eq</c> (under <c>Mask</c>).</summary>
public sealed record RegValue(int Line, OneReg Reg, ulong Eq, ulong Mask) : Expectation(Line)
{
    public override string? Failure(Trace t, IReadOnlyList<Verdict> verdicts)
    {
        var last = t.Events.OfType<GetOneReg>().LastOrDefault(g => g.Reg == Reg);
        if (last is null) return $"the scenario never reads {Reg.ToString().ToLowerInvariant()} (add a get_one_reg step)";
        return (last.Value & Mask) == Eq ? null : $"{Reg.ToString().ToLowerInvariant()} reads {Hex(last.Value)}, expected {Hex(Eq)}{(Mask != ulong.MaxValue ? $" under mask {Hex(Mask)}" : "")}";
    }

    public override string Describe() => $"{Reg.ToString().ToLowerInvariant()} = {Hex(Eq)}{(Mask != ulong.MaxValue ? $" under mask {Hex(Mask)}" : "")}";
}

/// <summary><c>order</c>: the first event matching <c>First</c> comes before the first matching <c>Then</c>.</summary>
public sealed record Order(int Line, Selector First, Selector Then) : Expectation(Line)
{
    public override string? Failure(Trace t, IReadOnlyList<Verdict> verdicts)
    {
        int a = First.Select(t).Select(p => p.Index).DefaultIfEmpty(-1).First();
        int b = Then.Select(t).Select(p => p.Index).DefaultIfEmpty(-1).First();
        if (a < 0) return $"no {First.Describe()} in the trace";
        if (b < 0) return $"no {Then.Describe()} in the trace";
        return a < b ? null : $"{Then.Describe()} (event {b}) comes before {First.Describe()} (event {a})";
    }

    public override string Describe() => $"{First.Describe()} before {Then.Describe()}";
}

/// <summary><c>violation</c>: the trace violates this invariant key (a negative scenario); the
/// violation is then not counted against the run.</summary>
public sealed record ViolationExpected(int Line, string Key) : Expectation(Line)
{
    public override string? Failure(Trace t, IReadOnlyList<Verdict> verdicts) =>
        verdicts.SelectMany(v => v.Violations).Any(v => v.Key == Key || v.Invariant == Key) ? null
            : $"no {Key} violation; found: {string.Join(", ", verdicts.SelectMany(v => v.Violations).Select(v => v.Key).Distinct().DefaultIfEmpty("none"))}";

    public override string Describe() => $"violates {Key}";
}
