using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Trace;

/// <summary>Reads a version-1 JSON Lines trace (docs/trace-format.md) one event at a time, in memory
/// that does not grow with the trace, and rejects anything the format does not allow with a
/// <see cref="TraceFormatException"/> naming the file, line and field.</summary>
/// <remarks>
/// Checked on every line: JSON syntax, the event kind, every field's presence, type and range,
/// unknown fields (only <c>x_</c>-prefixed extension fields are ignored), and the order of events: a
/// KVM_RUN is in flight from <c>run</c> to its <c>exit</c> or <c>run_failed</c>; guest observations
/// (<c>entered</c>, <c>retired</c> by hardware or KVM, guest register accesses) happen only while one
/// is, except <c>exception</c>, which KVM_SET_VCPU_EVENTS delivered at once before v5.12; VMM ioctls
/// and <c>retired</c> by the VMM only while none is; an <c>end</c> record, when present, is
/// last and counts the events. A trace that ends inside a KVM_RUN is truncated. Event <c>i</c> (0-based)
/// is on line <c>i + 2</c>: blank lines are allowed only at the end.
/// </remarks>
public sealed partial class TraceReader
{
    private readonly LineSource lines;
    private readonly string file;
    private bool inFlight, ended, blankSeen, replayable = true;
    // The field names of the object being checked: one set for the whole trace, not one per line.
    private readonly HashSet<string> fieldNames = [];
    private int index;
    private int line;

    /// <summary>The header, read when the reader is made.</summary>
    public TraceHeader Header { get; }

    /// <summary>The number of the line of the event last returned (1-based).</summary>
    public int Line => line;

    public TraceReader(Stream stream, string file)
    {
        this.file = file;
        lines = new LineSource(stream, file);
        if (!lines.Next(out var first))
            throw new TraceFormatException(file, 1, "", "empty file: a trace starts with a header line");
        line = 1;
        Header = ParseLine(first, ReadHeader);
    }

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    public static TraceReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), path);

    /// <summary>Reads a whole (small) trace into memory.</summary>
    public static Trace ReadAll(Stream stream, string file)
    {
        var r = new TraceReader(stream, file);
        return Trace.Of(r.Header, r.Events().Select(e => e.Event).ToList());
    }

    /// <summary>Whether the trace so far has only events a replay can feed to a model (no step records).</summary>
    public bool Replayable => replayable;

    /// <summary>The events in order, each with its index (0-based, without the header).</summary>
    public IEnumerable<(int Index, TraceEvent Event)> Events()
    {
        while (lines.Next(out var bytes))
        {
            line = lines.LineNumber;
            if (IsBlank(bytes.Span)) { blankSeen = true; continue; }
            if (blankSeen) throw Bad("", "a blank line inside the trace (blank lines are allowed only at the end)");
            if (ended) throw Bad("", "an event after the end record");
            var e = ParseLine(bytes, ReadEvent);
            if (e is null) continue; // the end record
            yield return (index++, e);
        }
        if (inFlight && !ended)
            throw new TraceFormatException(file, line, "", "the trace ends inside a KVM_RUN (a run with no exit or run_failed after it): truncated?");
    }

    private static bool IsBlank(ReadOnlySpan<byte> b)
    {
        foreach (var c in b) if (c is not ((byte)' ' or (byte)'\t')) return false;
        return true;
    }

    private T ParseLine<T>(ReadOnlyMemory<byte> bytes, Func<JsonElement, T> read)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw Bad("", $"not valid JSON ({Short(ex.Message)}): {LineSource.Preview(bytes.Span)}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad("", $"a trace line is a JSON object, not {Kind(doc.RootElement)}");
            return read(doc.RootElement);
        }
    }

    private static string Short(string m) { int i = m.IndexOf(" Path:", StringComparison.Ordinal); return i < 0 ? m : m[..i]; }

    private TraceFormatException Bad(string field, string problem) => new(file, line, field, problem);

    // ---- header ----

    public static readonly HashSet<string> HeaderFields = ["v", "kind", "arch", "profile", "producer", "initial_pc", "initial_pstate", "program", "guest_self_debug"];

    private TraceHeader ReadHeader(JsonElement o)
    {
        var f = new Fields(this, o, "");
        if (f.String("kind") != "header") throw Bad("kind", "the first line must be the header ({\"v\":1,\"kind\":\"header\",...})");
        if (f.U64("v") != TraceJson.Version) throw Bad("v", $"version {f.U64("v")} is not supported (this reader reads version {TraceJson.Version})");
        var arch = f.String("arch");
        if (arch is not (Arm64 or X86)) throw Bad("arch", $"unknown architecture '{arch}' (known: {Arm64}, {X86})");
        var profile = f.String("profile");
        if (!Trace.Profiles.Contains(profile)) throw Bad("profile", $"unknown profile '{profile}' (known: {string.Join(", ", Trace.Profiles)})");
        if (arch == X86 && profile != Trace.FullProfile)
            throw Bad("profile", $"an x86 trace has the {Trace.FullProfile} profile: the x86 invariants do not judge a {profile} yet");
        bool? selfDebug = f.OptBool("guest_self_debug");
        if (selfDebug is not null && profile != Trace.StepLogProfile) throw Bad("guest_self_debug", "only a step-log header has this field");
        var program = o.TryGetProperty("program", out var p) && p.ValueKind != JsonValueKind.Null ? ReadProgram(p) : null;
        if (arch == X86 && program is { Body.IsEmpty: false })
            throw Bad("program", "an x86 trace has no program (the program lists arm64 instruction kinds); leave it out or give []");
        var h = new TraceHeader(arch, profile, f.String("producer"), arch == X86 ? null : program, f.U64("initial_pc"), f.OptU64("initial_pstate"), selfDebug);
        if (arch == Arm64 && h.InitialPstate is { } ps && PSTATE.Decode(ps) is null) throw Bad("initial_pstate", $"0x{ps:X} has an M[3:0] mode the model does not have (EL0t, EL1t/h, EL2t/h)");
        // x86: initial_pstate is the guest's RFLAGS at the first KVM_RUN.
        if (arch == X86 && h.InitialPstate is { } rf && !Rflags.IsValid(rf))
            throw Bad("initial_pstate", $"0x{rf:X} is not an RFLAGS value (x86: initial_pstate is RFLAGS; bit 1 reads as 1, bits 3, 5, 15 and 63:22 as 0)");
        f.NoOthers(HeaderFields);
        return h;
    }

    /// <summary>The architectures a header may name.</summary>
    public const string Arm64 = "arm64", X86 = "x86";

    public static readonly HashSet<string> InstructionFields = ["kind", "mnemonic", "target", "reg", "value", "stage2_fault"];

    private GuestProgram ReadProgram(JsonElement p)
    {
        if (p.ValueKind != JsonValueKind.Array) throw Bad("program", $"an array of instructions, not {Kind(p)}");
        var body = ImmutableArray.CreateBuilder<Instruction>();
        int k = 0;
        foreach (var item in p.EnumerateArray())
        {
            string where = $"program[{k++}]";
            if (item.ValueKind != JsonValueKind.Object) throw Bad(where, $"an instruction object, not {Kind(item)}");
            var f = new Fields(this, item, where);
            var kind = f.Enum<InstructionKind>("kind", ignoreCase: false);
            var reg = f.OptEnum<SysReg>("reg") ?? default;
            if (kind is InstructionKind.MsrImm or InstructionKind.MrsReg && f.OptEnum<SysReg>("reg") is null)
                throw Bad(where + ".reg", $"{kind} needs the system register it accesses");
            body.Add(new Instruction(kind, f.OptU64("target") ?? 0, f.OptBool("stage2_fault") ?? false, reg, f.OptU64("value") ?? 0));
            f.NoOthers(InstructionFields);
        }
        return new GuestProgram(body.ToImmutable());
    }

    // ---- events ----

    private TraceEvent? ReadEvent(JsonElement o)
    {
        var f = new Fields(this, o, "");
        if (o.TryGetProperty("v", out _) && f.U64("v") != TraceJson.Version) throw Bad("v", $"version {f.U64("v")} in a version-{TraceJson.Version} trace");
        var kind = f.String("kind");
        if (kind == "header") throw Bad("kind", "a second header");
        bool stepLog = Header.Profile == Trace.StepLogProfile;
        if (stepLog && kind is not ("step" or "note" or "end"))
            throw Bad("kind", $"'{kind}' is not part of the step-log profile (only step, note and end are)");
        if (!stepLog && kind == "step") throw Bad("kind", "a step record belongs to the step-log profile, not to a full trace");
        if (Header.Arch == X86) return ReadX86Event(f, kind);
        TraceEvent? e = kind switch
        {
            "header" => throw Bad("kind", "a second header"),
            "set_guest_debug" => Vmm(ReadSetGuestDebug(f)),
            "run" => StartRun(new Run(f.OptBool("immediate_exit") ?? false)),
            "complete_mmio" => Vmm(new CompleteMmio(f.U64("data"))),
            "set_vcpu_events" => Vmm(new SetVcpuEvents(f.OptBool("ext_dabt_pending") ?? false, f.OptEnum<Errno>("error"), f.OptBool("serror_pending") ?? false)),
            "get_one_reg" => Vmm(new GetOneReg(f.Enum<OneReg>("reg"), f.U64("value"))),
            "set_one_reg" => Vmm(new SetOneReg(f.Enum<OneReg>("reg"), f.U64("value"), f.OptEnum<Errno>("error"))),
            "get_reg_list" => Vmm(new GetRegList(f.EnumArray<OneReg>("regs"))),
            "enable_cap" => Vmm(ReadEnableCap(f)),
            "vmm_emulate" => Vmm(new VmmEmulate()),
            "migrate" => Vmm(new Migrate(f.String("source"), f.String("destination"))),
            "irq_pending" => new InterruptPending(f.Enum<IrqTarget>("target")),
            "signal" => new SignalPending(),
            "exit" => EndRun(ReadExit(f)),
            "run_failed" => EndRun(new RunFailed(f.Enum<Errno>("errno"), f.OptU64("pc"))),
            "entered" => Guest(new Entered(f.U64("pc"))),
            "retired" => ReadRetired(f),
            // Before v5.12 KVM_SET_VCPU_EVENTS delivered an injected abort at once, outside KVM_RUN.
            "exception" => ReadException(f),
            "guest_reg_read" => Guest(new GuestRegRead(f.Enum<SysReg>("reg"), f.U64("value"))),
            "guest_reg_write" => Guest(new GuestRegWrite(f.Enum<SysReg>("reg"), f.U64("value"))),
            "note" => new Note(f.Enum<Lane>("lane"), f.String("text")),
            "step" => ReadStep(f),
            "end" => End(f),
            _ when X86EventFields.ContainsKey(kind) => throw Bad("kind", $"'{kind}' is an x86 event; this trace's header says arm64"),
            _ => throw Bad("kind", $"unknown event kind '{kind}' (see docs/trace-format.md)"),
        };
        f.NoOthers(EventFields[kind]);
        return e;
    }

    /// <summary>The fields each event kind of an arm64 trace may have (v and kind included); x86 traces: <see cref="X86EventFields"/>.</summary>
    public static readonly IReadOnlyDictionary<string, HashSet<string>> EventFields = new Dictionary<string, HashSet<string>>
    {
        ["set_guest_debug"] = ["v", "kind", "control", "flags", "dbg_bvr0"],
        ["run"] = ["v", "kind", "immediate_exit"],
        ["complete_mmio"] = ["v", "kind", "data"],
        ["set_vcpu_events"] = ["v", "kind", "ext_dabt_pending", "serror_pending", "error"],
        ["get_one_reg"] = ["v", "kind", "reg", "value"],
        ["set_one_reg"] = ["v", "kind", "reg", "value", "error"],
        ["get_reg_list"] = ["v", "kind", "regs"],
        ["enable_cap"] = ["v", "kind", "cap", "name", "error"],
        ["migrate"] = ["v", "kind", "source", "destination"],
        ["irq_pending"] = ["v", "kind", "target"],
        ["exit"] = ["v", "kind", "reason", "exit_reason", "pc", "hsr", "hsr_high", "far", "flags", "phys_addr", "len", "is_write", "data", "esr_iss", "fault_ipa"],
        ["run_failed"] = ["v", "kind", "errno", "pc"],
        ["entered"] = ["v", "kind", "pc"],
        ["retired"] = ["v", "kind", "pc", "next_pc", "by", "insn", "completion", "data"],
        ["exception"] = ["v", "kind", "vector", "elr", "spsr", "esr"],
        ["guest_reg_read"] = ["v", "kind", "reg", "value"],
        ["guest_reg_write"] = ["v", "kind", "reg", "value"],
        ["note"] = ["v", "kind", "lane", "text"],
        ["step"] = ["v", "kind", "pc", "next_pc", "len", "insn", "exception", "flags"],
        ["end"] = ["v", "kind", "events"],
        ["signal"] = ["v", "kind"],
        ["vmm_emulate"] = ["v", "kind"],
    };

    private TraceEvent Vmm(TraceEvent e)
    {
        if (inFlight) throw Bad("kind", $"{e.Verb} while a KVM_RUN is in flight (after run, before its exit)");
        return e;
    }

    private TraceEvent Guest(TraceEvent e)
    {
        if (!inFlight) throw Bad("kind", $"{e.Verb} outside a KVM_RUN (the guest runs only between run and its exit)");
        return e;
    }

    private TraceEvent StartRun(Run r)
    {
        if (inFlight) throw Bad("kind", "run while a KVM_RUN is already in flight (no exit or run_failed since the last run)");
        inFlight = true;
        return r;
    }

    private TraceEvent EndRun(TraceEvent e)
    {
        if (!inFlight) throw Bad("kind", $"{e.Verb} without a KVM_RUN in flight (no run before it)");
        inFlight = false;
        return e;
    }

    private TraceEvent? End(Fields f)
    {
        ulong n = f.U64("events");
        if (n != (ulong)index) throw Bad("events", $"the end record counts {n} events but the trace has {index}: events are missing or extra");
        if (inFlight) throw Bad("kind", "the end record inside a KVM_RUN (no exit after the last run)");
        ended = true;
        return null;
    }

    private SetGuestDebug ReadSetGuestDebug(Fields f)
    {
        var control = f.OptU32("control") is { } c ? (KvmGuestDebug)c : (KvmGuestDebug?)null;
        if (control is { } cv && ((uint)cv & ~(uint)AllDebugBits) != 0)
            throw Bad("control", $"0x{(uint)cv:X} has bits KVM_SET_GUEST_DEBUG does not define on arm64 (0x{(uint)cv & ~(uint)AllDebugBits:X})");
        var flags = f.Has("flags") ? ParseDebugFlags(f) : (KvmGuestDebug?)null;
        if (control is null && flags is null) throw Bad("control", "missing (give control, flags, or both)");
        if (control is { } a && flags is { } b && a != b) throw Bad("flags", $"'{SetGuestDebug.Format(b)}' disagrees with control 0x{(uint)a:X}");
        return new SetGuestDebug(control ?? flags!.Value, f.OptU64("dbg_bvr0"));
    }

    private static readonly KvmGuestDebug AllDebugBits = Enum.GetValues<KvmGuestDebug>().Aggregate(KvmGuestDebug.None, (a, b) => a | b);

    private KvmGuestDebug ParseDebugFlags(Fields f) => ParseDebugFlags<KvmGuestDebug>(f, "ENABLE, SINGLESTEP, USE_SW_BP, USE_HW");

    /// <summary>The <c>flags</c> field: KVM_GUESTDBG_ names (with or without the prefix) joined by |, or an array of them.</summary>
    private T ParseDebugFlags<T>(Fields f, string known) where T : struct, Enum
    {
        var e = f.Element("flags");
        IEnumerable<string> names = e.ValueKind switch
        {
            JsonValueKind.String when e.GetString()!.Trim().Length == 0 => throw Bad("flags", "empty: give \"0\" for no flags, or names like \"ENABLE|SINGLESTEP\""),
            JsonValueKind.String => e.GetString()!.Split('|', StringSplitOptions.TrimEntries),
            JsonValueKind.Array => e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw Bad("flags", $"flag names are strings, not {Kind(x)}")),
            _ => throw Bad("flags", $"a string like \"ENABLE|SINGLESTEP\" or an array of names, not {Kind(e)}"),
        };
        ulong result = 0;
        foreach (var n in names)
        {
            if (n == "0") continue;
            var full = n.StartsWith("KVM_GUESTDBG_", StringComparison.Ordinal) ? n : "KVM_GUESTDBG_" + n;
            if (Named<T>(full, ignoreCase: false) is not { } bit || Convert.ToUInt64(bit, CultureInfo.InvariantCulture) == 0)
                throw Bad("flags", $"unknown flag '{n}' (known: {known})");
            result |= Convert.ToUInt64(bit, CultureInfo.InvariantCulture);
        }
        return (T)Enum.ToObject(typeof(T), result);
    }

    private EnableCap ReadEnableCap(Fields f)
    {
        KvmCap? byNumber = f.OptU64("cap") is { } n ? (Enum.IsDefined((KvmCap)(uint)n) ? (KvmCap)(uint)n : throw Bad("cap", $"capability {n} is not one this model knows (known: {Known<KvmCap>()})")) : null;
        KvmCap? byName = f.OptEnum<KvmCap>("name");
        if (byNumber is null && byName is null) throw Bad("cap", "missing (give cap, name, or both)");
        if (byNumber is { } a && byName is { } b && a != b) throw Bad("name", $"{b} disagrees with cap {(uint)a}");
        return new EnableCap(byNumber ?? byName!.Value, f.OptEnum<Errno>("error"));
    }

    private Exit ReadExit(Fields f)
    {
        var reason = ExitReason(f);
        var own = PayloadFields.GetValueOrDefault(reason, []);
        foreach (var field in PayloadFields.Values.SelectMany(x => x))
            if (!own.Contains(field) && f.Has(field)) throw Bad(field, $"not a field of a {reason} exit");
        ExitPayload? payload = reason switch
        {
            KvmExitReason.KVM_EXIT_DEBUG => new DebugPayload(new kvm_debug_exit_arch(f.U32("hsr"), f.OptU32("hsr_high") ?? 0, f.OptU64("far") ?? 0), RunFlags(f)),
            KvmExitReason.KVM_EXIT_MMIO => new MmioPayload(f.U64("phys_addr"), MmioLen(f), f.Bool("is_write"), f.OptU64("data") ?? 0),
            KvmExitReason.KVM_EXIT_ARM_NISV => new NisvPayload(f.U64("esr_iss"), f.U64("fault_ipa")),
            _ => null,
        };
        return new Exit(reason, f.OptU64("pc"), payload);
    }

    /// <summary>The exit's reason: by name, by number, or both when they agree.</summary>
    private KvmExitReason ExitReason(Fields f)
    {
        KvmExitReason? byName = f.Has("reason") ? f.Enum<KvmExitReason>("reason") : null;
        KvmExitReason? byNumber = f.OptU64("exit_reason") is { } n ? (Enum.IsDefined((KvmExitReason)(uint)n) ? (KvmExitReason)(uint)n : throw Bad("exit_reason", $"exit reason {n} is not one this model knows (known: {Known<KvmExitReason>()})")) : null;
        if (byName is null && byNumber is null) throw Bad("reason", "missing (give reason, exit_reason, or both)");
        if (byName is { } a && byNumber is { } b && a != b) throw Bad("exit_reason", $"{(uint)b} disagrees with reason {a}");
        return byName ?? byNumber!.Value;
    }

    /// <summary>The exit payload fields of each exit reason (struct kvm_run's union members).</summary>
    private static readonly Dictionary<KvmExitReason, string[]> PayloadFields = new()
    {
        [KvmExitReason.KVM_EXIT_DEBUG] = ["hsr", "hsr_high", "far", "flags"],
        [KvmExitReason.KVM_EXIT_MMIO] = ["phys_addr", "len", "is_write", "data"],
        [KvmExitReason.KVM_EXIT_ARM_NISV] = ["esr_iss", "fault_ipa"],
    };

    /// <summary>kvm_run.flags is a __u16 (include/uapi/linux/kvm.h).</summary>
    private uint RunFlags(Fields f)
    {
        uint v = f.OptU32("flags") ?? 0;
        return v <= ushort.MaxValue ? v : throw Bad("flags", $"kvm_run.flags is 16 bits, not 0x{v:X}");
    }

    private int MmioLen(Fields f)
    {
        ulong len = f.U64("len");
        return len is 1 or 2 or 4 or 8 ? (int)len : throw Bad("len", $"an MMIO access is 1, 2, 4 or 8 bytes, not {len}");
    }

    private TraceEvent ReadRetired(Fields f)
    {
        var by = f.Enum<RetiredBy>("by");
        var r = new Retired(f.U64("pc"), f.U64("next_pc"), by, f.String("insn"), f.OptBool("completion") ?? false, f.OptU64("data"));
        // The VMM emulates while it has the vCPU; the hardware and KVM retire during a KVM_RUN.
        if (by == RetiredBy.Vmm) return Vmm(r);
        return Guest(r);
    }

    private ExceptionTaken ReadException(Fields f)
    {
        ulong spsr = f.U64("spsr");
        var ps = PSTATE.Decode(spsr) ?? throw Bad("spsr", $"0x{spsr:X} has an M[3:0] mode the model does not have (EL0t, EL1t/h, EL2t/h)");
        return new ExceptionTaken(f.U64("vector"), f.OptU64("esr") is { } esr ? ESR_ELx.Decode(esr) : null, f.U64("elr"), ps);
    }

    private StepRecord ReadStep(Fields f)
    {
        replayable = false;
        ulong len = f.U64("len");
        if (len is 0 or > 15) throw Bad("len", $"an instruction is 1 to 15 bytes long, not {len}");
        StepException? x = null;
        if (f.Has("exception"))
        {
            var e = f.Element("exception");
            if (e.ValueKind != JsonValueKind.Object) throw Bad("exception", $"an object {{vector, saved_step}}, not {Kind(e)}");
            var g = new Fields(this, e, "exception");
            x = new StepException(g.U64("vector"), g.OptBool("saved_step"));
            g.NoOthers(["vector", "saved_step"]);
        }
        var insn = f.String("insn");
        if (insn.Trim().Length == 0) throw Bad("insn", "empty: give the instruction's kind or its disassembly");
        return new StepRecord(f.U64("pc"), f.U64("next_pc"), (int)len, insn, x, f.OptU64("flags"));
    }

    /// <summary>The enum member with exactly this name (no numbers, lists or padding).</summary>
    private static T? Named<T>(string s, bool ignoreCase) where T : struct, Enum
    {
        foreach (var n in System.Enum.GetNames<T>())
            if (string.Equals(n, s, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)) return System.Enum.Parse<T>(n);
        return null;
    }

    private static string Known<T>() where T : struct, Enum => string.Join(", ", Enum.GetNames<T>());

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Clip(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Clip(e.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => "null",
    };

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "..." : s;

    /// <summary>Typed access to one JSON object's fields, with errors naming the field.</summary>
    private readonly struct Fields(TraceReader r, JsonElement o, string prefix)
    {
        private string Name(string field) => prefix.Length == 0 ? field : $"{prefix}.{field}";

        public bool Has(string field) => o.TryGetProperty(field, out var e) && e.ValueKind != JsonValueKind.Null;

        public JsonElement Element(string field) =>
            o.TryGetProperty(field, out var e) && e.ValueKind != JsonValueKind.Null ? e : throw r.Bad(Name(field), "missing");

        public string String(string field)
        {
            var e = Element(field);
            return e.ValueKind == JsonValueKind.String ? e.GetString()! : throw r.Bad(Name(field), $"a string, not {Kind(e)}");
        }

        public bool Bool(string field)
        {
            var e = Element(field);
            return e.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw r.Bad(Name(field), $"true or false, not {Kind(e)}"),
            };
        }

        public bool? OptBool(string field) => Has(field) ? Bool(field) : null;

        /// <summary>An unsigned 64-bit value: a JSON integer, or a string "0x..." in hex.</summary>
        public ulong U64(string field)
        {
            var e = Element(field);
            if (e.ValueKind == JsonValueKind.Number)
                return e.TryGetUInt64(out var v) ? v : throw r.Bad(Name(field), $"an unsigned 64-bit integer, not {Kind(e)}");
            if (e.ValueKind == JsonValueKind.String && e.GetString() is { } s && s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                && s.Length is > 2 and <= 18 && ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h))
                return h;
            throw r.Bad(Name(field), $"an unsigned 64-bit integer or a \"0x...\" hex string, not {Kind(e)}");
        }

        public ulong? OptU64(string field) => Has(field) ? U64(field) : null;

        public uint U32(string field)
        {
            ulong v = U64(field);
            return v <= uint.MaxValue ? (uint)v : throw r.Bad(Name(field), $"a 32-bit value, not 0x{v:X}");
        }

        public uint? OptU32(string field) => Has(field) ? U32(field) : null;

        public T Enum<T>(string field, bool ignoreCase = true) where T : struct, Enum
        {
            var s = String(field);
            if (Named<T>(s, ignoreCase) is { } v) return v;
            throw r.Bad(Name(field), $"unknown {typeof(T).Name} '{Clip(s)}' (known: {string.Join(", ", System.Enum.GetNames<T>().Select(n => typeof(T) == typeof(OneReg) || typeof(T) == typeof(IrqTarget) || typeof(T) == typeof(RetiredBy) || typeof(T) == typeof(Lane) ? n.ToLowerInvariant() : n))})");
        }

        public T? OptEnum<T>(string field) where T : struct, Enum => Has(field) ? Enum<T>(field) : null;

        public ImmutableArray<T> EnumArray<T>(string field) where T : struct, Enum
        {
            var e = Element(field);
            if (e.ValueKind != JsonValueKind.Array) throw r.Bad(Name(field), $"an array, not {Kind(e)}");
            var b = ImmutableArray.CreateBuilder<T>();
            int k = 0;
            foreach (var x in e.EnumerateArray())
            {
                b.Add(x.ValueKind == JsonValueKind.String && Named<T>(x.GetString()!, true) is { } v
                    ? v : throw r.Bad($"{Name(field)}[{k}]", $"unknown {typeof(T).Name} {Kind(x)}"));
                k++;
            }
            return b.ToImmutable();
        }

        /// <summary>A nested object, its fields named <c>field.name</c> in errors.</summary>
        public Fields Object(string field)
        {
            var e = Element(field);
            return e.ValueKind == JsonValueKind.Object ? new Fields(r, e, Name(field)) : throw r.Bad(Name(field), $"an object, not {Kind(e)}");
        }

        public void NoOthers(HashSet<string> allowed)
        {
            var seen = r.fieldNames;
            seen.Clear();
            foreach (var p in o.EnumerateObject())
                if (!seen.Add(p.Name)) throw r.Bad(Name(p.Name), "given twice");
                else if (!allowed.Contains(p.Name) && !p.Name.StartsWith("x_", StringComparison.Ordinal))
                    throw r.Bad(Name(p.Name), $"unknown field (fields of this record: {string.Join(", ", allowed)}; extensions start with x_)");
        }
    }
}
