using System.Collections.Immutable;
using System.Globalization;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Model.Scenarios;

/// <summary>Reads a scenario file (docs/scenario-format.md) and rejects anything the format does not
/// allow with a <see cref="TraceFormatException"/> naming the file, line and field.</summary>
/// <remarks>Bounded: files above <see cref="MaxBytes"/>, more than <see cref="MaxNodes"/> YAML nodes
/// visited (aliases count each time they are used), or more than <see cref="MaxActions"/> actions
/// after <c>repeat</c> are rejected, so no input makes the reader or the run hang.</remarks>
public sealed class ScenarioReader
{
    public const int MaxBytes = 1 << 20, MaxNodes = 100_000, MaxActions = 20_000, MaxRepeat = 1_000;

    private static readonly HashSet<string> TopKeys = ["id", "arch", "source", "areas", "notes", "variants", "program", "setup", "steps", "expect"];

    private readonly string file;
    private readonly Dictionary<string, ulong> labels = [];
    private int nodes;

    private ScenarioReader(string file) => this.file = file;

    public static Scenario ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (info.Length > MaxBytes) throw new TraceFormatException(path, 0, "", $"{info.Length} bytes: a scenario file is at most {MaxBytes} bytes");
        return Read(File.ReadAllText(path), path);
    }

    public static Scenario Read(string text, string file)
    {
        if (text.Length > MaxBytes) throw new TraceFormatException(file, 0, "", $"a scenario file is at most {MaxBytes} bytes");
        if (text.Contains('\0')) throw new TraceFormatException(file, 1 + text[..text.IndexOf('\0')].Count(c => c == '\n'), "", "a NUL byte: not a YAML text file");
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            // At the end of the text the parser's mark is one past the last line.
            int lines = Math.Max(1, text.TrimEnd('\n').Count(c => c == '\n') + 1);
            throw new TraceFormatException(file, (int)Math.Min(e.Start.Line, lines), "", $"not valid YAML: {Short(e.Message)}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new TraceFormatException(file, 0, "", $"not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count != 1) throw new TraceFormatException(file, 1, "", stream.Documents.Count == 0 ? "empty file: a scenario is one YAML mapping" : "more than one YAML document");
        return new ScenarioReader(file).Scenario(stream.Documents[0].RootNode);
    }

    private static string Short(string m) => m.Length > 160 ? m[..160] + "..." : m;

    private TraceFormatException Bad(YamlNode n, string field, string problem) => new(file, (int)n.Start.Line, field, problem);

    private void Visit(YamlNode n)
    {
        if (++nodes > MaxNodes) throw Bad(n, "", $"more than {MaxNodes} YAML nodes (aliases count each time they are used)");
    }

    // ---- top level ----

    private Scenario Scenario(YamlNode root)
    {
        var m = Map(root, "scenario");
        foreach (var k in m.Children.Keys)
            if (!TopKeys.Contains(Key(k))) throw Bad(k, Key(k), $"unknown key (a scenario has: {string.Join(", ", TopKeys)})");
        var id = Str(Req(m, "id", root), "id");
        var arch = Str(Req(m, "arch", root), "arch");
        if (arch != "arm64") throw Bad(Req(m, "arch", root), "arch", arch == "x86" ? "x86 scenarios are not modelled yet; only arm64 is" : $"unknown architecture '{arch}' (known: arm64)");
        var variants = Opt(m, "variants") is { } vn ? Seq(vn, "variants").Select(x => VariantId(x)).ToImmutableArray() : [Arm64.Arm64Variants.Upstream.Id];
        var programNode = Req(m, "program", root);
        var program = Program(programNode);
        var actions = new List<Action>();
        if (Opt(m, "setup") is { } setup) Steps(setup, "setup", actions);
        Steps(Req(m, "steps", root), "steps", actions);
        var expect = Opt(m, "expect") is { } en ? Seq(en, "expect").Select(Expectation).ToImmutableArray() : [];
        return new Scenario(file, id, arch, Opt(m, "source") is { } s ? Str(s, "source") : null,
            Opt(m, "areas") is { } a ? Seq(a, "areas").Select(x => Str(x, "areas")).ToImmutableArray() : [],
            Opt(m, "notes") is { } n ? Str(n, "notes") : null, variants, program, labels.ToImmutableDictionary(), [.. actions], expect);
    }

    private string VariantId(YamlNode n)
    {
        var id = Str(n, "variants");
        return Arm64.Arm64Variants.Find(id) is not null ? id : throw Bad(n, "variants", $"unknown variant '{id}' (see 'kvmspec variants')");
    }

    // ---- the program ----

    private static readonly Dictionary<string, InstructionKind> Ops = new()
    {
        ["nop"] = InstructionKind.Nop, ["alu"] = InstructionKind.Nop, ["b"] = InstructionKind.Branch, ["load"] = InstructionKind.LoadRam, ["store"] = InstructionKind.StoreRam,
        ["mmio_load_kernel"] = InstructionKind.MmioLoadKernel, ["mmio_load"] = InstructionKind.MmioLoadUser, ["mmio_store"] = InstructionKind.MmioStoreUser,
        ["ucall"] = InstructionKind.MmioStoreUser, ["mmio_no_isv"] = InstructionKind.MmioNoIsv, ["msr_dbgbvr0_x0"] = InstructionKind.MsrDbgbvr,
        ["mrs_dbgbvr0"] = InstructionKind.MrsDbgbvr, ["mrs_mdscr"] = InstructionKind.MrsMdscr, ["cond_failed_a32"] = InstructionKind.CondFailedA32,
        ["gicv2_cpuif_fault"] = InstructionKind.GicV2CpuIfFault, ["hvc"] = InstructionKind.Hvc, ["svc"] = InstructionKind.Svc, ["brk"] = InstructionKind.Brk,
        ["unmask_serror"] = InstructionKind.UnmaskSError, ["wfi"] = InstructionKind.Wfi, ["eret"] = InstructionKind.Eret,
        ["msr"] = InstructionKind.MsrImm, ["mrs"] = InstructionKind.MrsReg, ["daif_set_d"] = InstructionKind.DaifSetD, ["daif_clr_d"] = InstructionKind.DaifClrD,
    };

    private static readonly HashSet<string> InstructionKeys = ["label", "target", "reg", "value", "stage2_fault"];

    private GuestProgram Program(YamlNode node)
    {
        var items = Seq(node, "program");
        // Labels first, so that branches and values may refer forward.
        for (int i = 0; i < items.Count; i++)
            if (items[i] is YamlMappingNode im && im.Children.Count == 1 && Map(im.Children.Values.First(), "program") is { } args && Opt(args, "label") is { } ln)
            {
                var name = Str(ln, "label");
                if (!labels.TryAdd(name, GuestProgram.AddressOf(i))) throw Bad(ln, "label", $"label '{name}' is defined twice");
            }
        var body = ImmutableArray.CreateBuilder<Instruction>();
        foreach (var item in items) body.Add(Instruction(item));
        if (body.Count == 0) throw Bad(node, "program", "an empty program (give at least one instruction)");
        return new GuestProgram(body.ToImmutable());
    }

    private Instruction Instruction(YamlNode n)
    {
        var (op, args) = Verb(n, "program", InstructionKeys);
        if (!Ops.TryGetValue(op, out var kind))
            throw Bad(n, "program", $"unknown instruction '{op}' (known: {string.Join(", ", Ops.Keys)})");
        SysReg reg = default;
        if (kind is InstructionKind.MsrImm or InstructionKind.MrsReg)
        {
            var rn = args is null ? null : Opt(args, "reg");
            reg = rn is null ? throw Bad(n, "program", $"{op} needs reg") : Enum<SysReg>(rn, "reg");
        }
        ulong target = 0, value = 0;
        if (kind == InstructionKind.Branch)
            target = args is not null && Opt(args, "target") is { } tn ? Value(tn, "target") : throw Bad(n, "program", "b needs a target (an address or L:label)");
        if (args is not null && Opt(args, "value") is { } vn)
        {
            if (kind is not (InstructionKind.MsrImm or InstructionKind.StoreRam)) throw Bad(vn, "value", $"{op} takes no value");
            value = kind == InstructionKind.MsrImm ? RegisterValue(reg, vn) : Value(vn, "value");
        }
        else if (kind == InstructionKind.MsrImm) throw Bad(n, "program", "msr needs a value");
        bool fault = args is not null && Opt(args, "stage2_fault") is { } fn && Bool(fn, "stage2_fault");
        if (fault && kind is not (InstructionKind.LoadRam or InstructionKind.StoreRam)) throw Bad(n, "stage2_fault", "only load and store can start with the page unmapped");
        return new Instruction(kind, target, fault, reg, value);
    }

    /// <summary>A value written to <paramref name="reg"/>: a number, a label, or the register's fields by name.</summary>
    private ulong RegisterValue(SysReg reg, YamlNode n)
    {
        if (n is YamlScalarNode) return Value(n, "value");
        switch (reg)
        {
            case SysReg.MDSCR_EL1 when n is YamlSequenceNode bits:
                var names = bits.Children.Select(b => Str(b, "value")).ToList();
                foreach (var b in names) if (b is not ("SS" or "KDE" or "MDE")) throw Bad(n, "value", $"unknown MDSCR_EL1 bit '{b}' (modelled: SS, KDE, MDE)");
                return new MDSCR_EL1(names.Contains("SS"), names.Contains("KDE"), names.Contains("MDE")).Encode();
            case SysReg.DBGBCR0_EL1 or SysReg.DBGBCR1_EL1 when n is YamlMappingNode bm:
                NoOthers(bm, ["type", "lbn"], "value");
                var type = Opt(bm, "type") is { } t ? Enum<BreakpointType>(t, "value.type") : BreakpointType.AddressUnlinked;
                return DBGBCR.El1(type, (byte)(Opt(bm, "lbn") is { } l ? Small(l, "value.lbn", 15) : 0)).Encode();
            case SysReg.DBGWCR0_EL1 when n is YamlMappingNode wm:
                NoOthers(wm, ["linked", "lbn"], "value");
                return DBGWCR.El1LoadStore(Opt(wm, "linked") is { } ln && Bool(ln, "value.linked"), (byte)(Opt(wm, "lbn") is { } l2 ? Small(l2, "value.lbn", 15) : 0)).Encode();
            default:
                throw Bad(n, "value", $"a number or label for {reg} (field lists are for MDSCR_EL1, mappings for DBGBCRn_EL1 and DBGWCR0_EL1)");
        }
    }

    // ---- steps ----

    private static readonly HashSet<string> StepVerbs = ["run", "set_guest_debug", "complete_mmio", "set_one_reg", "get_one_reg", "set_vcpu_events",
        "enable_cap", "vmm_emulate", "irq_pending", "signal", "tick", "migrate", "repeat"];

    private void Steps(YamlNode node, string field, List<Action> into)
    {
        foreach (var s in Seq(node, field))
        {
            Step(s, field, into);
            if (into.Count > MaxActions) throw Bad(s, field, $"more than {MaxActions} actions (after repeat)");
        }
    }

    private void Step(YamlNode n, string field, List<Action> into)
    {
        var (verb, a) = Verb(n, field, null);
        if (!StepVerbs.Contains(verb)) throw Bad(n, field, $"unknown step '{verb}' (known: {string.Join(", ", StepVerbs)})");
        switch (verb)
        {
            case "run":
                Only(a, field, "immediate_exit");
                into.Add(Action.Of(new Run(a is not null && Opt(a, "immediate_exit") is { } ie && Bool(ie, "immediate_exit"))));
                break;
            case "set_guest_debug":
                Only(a, field, "flags", "bvr0");
                var flags = KvmGuestDebug.None;
                if (a is not null && Opt(a, "flags") is { } fl)
                    foreach (var f in Seq(fl, "flags"))
                    {
                        var name = Str(f, "flags");
                        flags |= System.Enum.TryParse<KvmGuestDebug>("KVM_GUESTDBG_" + name, out var bit) && bit != KvmGuestDebug.None ? bit
                            : throw Bad(f, "flags", $"unknown flag '{name}' (known: ENABLE, SINGLESTEP, USE_SW_BP, USE_HW)");
                    }
                into.Add(Action.Of(new SetGuestDebug(flags, a is not null && Opt(a, "bvr0") is { } bv ? Value(bv, "bvr0") : null)));
                break;
            case "complete_mmio":
                Only(a, field, "data");
                into.Add(Action.Of(new CompleteMmio(Value(ReqArg(a, n, "data"), "data"))));
                break;
            case "set_one_reg":
                Only(a, field, "reg", "value");
                into.Add(Action.Of(new SetOneReg(Enum<OneReg>(ReqArg(a, n, "reg"), "reg"), Value(ReqArg(a, n, "value"), "value"))));
                break;
            case "get_one_reg":
                Only(a, field, "reg");
                into.Add(Action.Of(new GetOneReg(Enum<OneReg>(ReqArg(a, n, "reg"), "reg"), 0)));
                break;
            case "set_vcpu_events":
                Only(a, field, "ext_dabt_pending", "serror_pending");
                bool dabt = a is not null && Opt(a, "ext_dabt_pending") is { } d && Bool(d, "ext_dabt_pending");
                bool serr = a is not null && Opt(a, "serror_pending") is { } se && Bool(se, "serror_pending");
                into.Add(Action.Of(new SetVcpuEvents(dabt, null, serr)));
                break;
            case "enable_cap":
                Only(a, field, "cap");
                into.Add(Action.Of(new EnableCap(Enum<KvmCap>(ReqArg(a, n, "cap"), "cap"))));
                break;
            case "vmm_emulate":
                Only(a, field);
                into.Add(Action.Of(new VmmEmulate()));
                break;
            case "irq_pending":
                // {irq_pending: guest} or {irq_pending: host}
                var target = n is YamlMappingNode im && im.Children.Values.First() is YamlScalarNode tn ? Enum<IrqTarget>(tn, "irq_pending") : IrqTarget.Guest;
                into.Add(Action.Of(new InterruptPending(target)));
                break;
            case "signal":
                Only(a, field);
                into.Add(Action.Of(new SignalPending()));
                break;
            case "tick":
                int count = n is YamlMappingNode tm && tm.Children.Values.First() is YamlScalarNode cn ? Small(cn, "tick", MaxActions) : 1;
                into.Add(Action.Ticks(count));
                break;
            case "migrate":
                Only(a, field, "from_older");
                into.Add(new MigrateAction(a is not null && Opt(a, "from_older") is { } fo && Bool(fo, "from_older")));
                break;
            case "repeat":
                Only(a, field, "n", "steps");
                int times = Small(ReqArg(a, n, "n"), "repeat.n", MaxRepeat);
                var body = new List<Action>();
                Steps(ReqArg(a, n, "steps"), "repeat.steps", body);
                for (int k = 0; k < times; k++)
                {
                    into.AddRange(body);
                    if (into.Count > MaxActions) throw Bad(n, "repeat", $"more than {MaxActions} actions after repeat");
                }
                break;
        }
    }

    // ---- expectations ----

    private static readonly HashSet<string> ExpectVerbs = ["exit", "run_fails", "guest_exc", "retired", "guest_read", "guest_write",
        "no_exit", "no_guest_exc", "no_retired", "count", "pc_seq", "reg", "order", "violation"];

    private static readonly HashSet<string> SelectorKeys = ["reason", "kind", "pc", "elr", "far", "is_write", "phys_addr", "len", "esr_ec", "errno", "by", "data", "reg", "value", "mask", "nth"];

    private Expectation Expectation(YamlNode n)
    {
        var (verb, a) = Verb(n, "expect", null);
        if (!ExpectVerbs.Contains(verb)) throw Bad(n, "expect", $"unknown expectation '{verb}' (known: {string.Join(", ", ExpectVerbs)})");
        int line = (int)n.Start.Line;
        switch (verb)
        {
            case "exit" or "run_fails" or "guest_exc" or "retired" or "guest_read" or "guest_write":
                return new Exists(line, Selector(verb, a, n));
            case "no_exit" or "no_guest_exc" or "no_retired":
                return new Absent(line, Selector(verb[3..] is "exit" ? "exit" : verb[3..], a, n));
            case "count":
                var cm = a ?? throw Bad(n, "count", "count needs {of, eq, ...filters}");
                var of = Str(Req(cm, "of", n), "count.of");
                int eq = Small(Req(cm, "eq", n), "count.eq", int.MaxValue);
                var rest = new YamlMappingNode(cm.Children.Where(kv => Key(kv.Key) is not ("of" or "eq")));
                return new Count(line, Selector(of, rest, n), eq);
            case "pc_seq":
                var pm = a ?? throw Bad(n, "pc_seq", "pc_seq needs {of, eq}");
                NoOthers(pm, ["of", "eq"], "pc_seq");
                var which = Str(Req(pm, "of", n), "pc_seq.of");
                if (!PcSequence.Kinds.Contains(which)) throw Bad(pm, "pc_seq.of", $"unknown '{which}' (known: {string.Join(", ", PcSequence.Kinds)})");
                return new PcSequence(line, which, [.. Seq(Req(pm, "eq", n), "pc_seq.eq").Select(x => Value(x, "pc_seq.eq"))]);
            case "reg":
                var rm = a ?? throw Bad(n, "reg", "reg needs {name, eq}");
                NoOthers(rm, ["name", "eq", "mask"], "reg");
                return new RegValue(line, Enum<OneReg>(Req(rm, "name", n), "reg.name"), Value(Req(rm, "eq", n), "reg.eq"), Opt(rm, "mask") is { } mk ? Value(mk, "reg.mask") : ulong.MaxValue);
            case "order":
                var om = a ?? throw Bad(n, "order", "order needs {first, then}");
                NoOthers(om, ["first", "then"], "order");
                return new Order(line, SelectorFrom(Req(om, "first", n), "order.first"), SelectorFrom(Req(om, "then", n), "order.then"));
            default: // violation
                var key = n is YamlMappingNode vm && vm.Children.Values.First() is YamlScalarNode ks ? ks.Value ?? "" : throw Bad(n, "violation", "violation: INVARIANT or INVARIANT:path");
                var id = key.Split(':')[0];
                if (Spec.Invariants.Arm64Invariants.Find(id) is not { } inv) throw Bad(n, "violation", $"unknown invariant '{id}' (see 'kvmspec invariants')");
                if (key.Contains(':') && !inv.Paths.Contains(key[(id.Length + 1)..])) throw Bad(n, "violation", $"unknown path '{key}' (paths of {id}: {string.Join(", ", inv.Paths)})");
                return new ViolationExpected(line, key);
        }
    }

    private Selector SelectorFrom(YamlNode n, string field)
    {
        var (verb, a) = Verb(n, field, null);
        return Selector(verb, a, n);
    }

    private Selector Selector(string of, YamlMappingNode? a, YamlNode at)
    {
        if (of is not ("exit" or "run_fails" or "guest_exc" or "retired" or "guest_read" or "guest_write" or "run"))
            throw Bad(at, "of", $"unknown event selector '{of}' (known: exit, run_fails, guest_exc, retired, guest_read, guest_write, run)");
        if (a is null) return new Selector(of);
        NoOthers(a, SelectorKeys, of);
        YamlNode? O(string k) => Opt(a, k);
        string? kind = null;
        if (O("kind") is { } kn)
        {
            kind = Str(kn, "kind");
            if (!Scenarios.Selector.ExcKinds.ContainsKey(kind)) throw Bad(kn, "kind", $"unknown exception kind '{kind}' (known: {string.Join(", ", Scenarios.Selector.ExcKinds.Keys)})");
        }
        KvmExitReason? reason = null;
        if (O("reason") is { } rn)
        {
            var s = Str(rn, "reason");
            reason = System.Enum.TryParse<KvmExitReason>(s.StartsWith("KVM_EXIT_", StringComparison.Ordinal) ? s : "KVM_EXIT_" + s, out var r) && System.Enum.IsDefined(r) ? r
                : throw Bad(rn, "reason", $"unknown exit reason '{s}' (known: {string.Join(", ", System.Enum.GetNames<KvmExitReason>().Select(x => x["KVM_EXIT_".Length..]))})");
        }
        return new Selector(of, reason, kind,
            O("pc") is { } pc ? Value(pc, "pc") : null,
            O("elr") is { } elr ? Value(elr, "elr") : null,
            O("far") is { } far ? Value(far, "far") : null,
            O("is_write") is { } w ? Bool(w, "is_write") : null,
            O("phys_addr") is { } pa ? Value(pa, "phys_addr") : null,
            O("len") is { } len ? Small(len, "len", 8) : null,
            O("esr_ec") is { } ec ? (ExceptionClass)Small(ec, "esr_ec", 0x3F) : null,
            O("errno") is { } er ? Enum<Errno>(er, "errno") : null,
            O("by") is { } by ? Enum<RetiredBy>(by, "by") : null,
            O("data") is { } d ? Value(d, "data") : null,
            O("reg") is { } rg ? Enum<SysReg>(rg, "reg") : null,
            O("value") is { } v ? Value(v, "value") : null,
            O("mask") is { } m ? Value(m, "mask") : null,
            O("nth") is { } nth ? Math.Max(1, Small(nth, "nth", int.MaxValue)) : null);
    }

    // ---- YAML helpers ----

    /// <summary>A step, instruction or expectation: a bare word, or a one-key mapping whose value is a
    /// mapping of arguments (or, for a few verbs, a scalar).</summary>
    private (string Verb, YamlMappingNode? Args) Verb(YamlNode n, string field, HashSet<string>? allowed)
    {
        Visit(n);
        switch (n)
        {
            case YamlScalarNode s:
                return (s.Value ?? "", null);
            case YamlMappingNode m when m.Children.Count == 1:
                var (k, v) = m.Children.First();
                Visit(v);
                var args = v switch
                {
                    YamlMappingNode am => am,
                    YamlScalarNode => null,
                    _ => throw Bad(v, field, $"the arguments of '{Key(k)}' are a mapping"),
                };
                if (args is not null && allowed is not null) NoOthers(args, allowed, Key(k));
                return (Key(k), args);
            default:
                throw Bad(n, field, "an entry is a word (run) or a one-key mapping ({set_guest_debug: {flags: [ENABLE]}})");
        }
    }

    private void Only(YamlMappingNode? a, string field, params string[] keys)
    {
        if (a is not null) NoOthers(a, [.. keys], field);
    }

    private void NoOthers(YamlMappingNode m, HashSet<string> allowed, string field)
    {
        foreach (var k in m.Children.Keys)
            if (!allowed.Contains(Key(k))) throw Bad(k, $"{field}.{Key(k)}", allowed.Count == 0 ? "takes no arguments" : $"unknown key (allowed: {string.Join(", ", allowed)})");
    }

    private YamlMappingNode Map(YamlNode n, string field)
    {
        Visit(n);
        return n as YamlMappingNode ?? throw Bad(n, field, "a mapping (key: value lines)");
    }

    private IReadOnlyList<YamlNode> Seq(YamlNode n, string field)
    {
        Visit(n);
        return n is YamlSequenceNode s ? [.. s.Children] : throw Bad(n, field, "a list ([a, b] or '- a' lines)");
    }

    private static string Key(YamlNode k) => k is YamlScalarNode s ? s.Value ?? "" : "?";

    private YamlNode Req(YamlMappingNode m, string key, YamlNode at) => Opt(m, key) ?? throw Bad(at, key, "missing");

    private static YamlNode? Opt(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is not YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } ? v : null;

    private YamlNode ReqArg(YamlMappingNode? a, YamlNode at, string key) => (a is null ? null : Opt(a, key)) ?? throw Bad(at, key, "missing");

    private string Str(YamlNode n, string field)
    {
        Visit(n);
        return n is YamlScalarNode { Value: { } v } ? v : throw Bad(n, field, "a single value, not a list or mapping");
    }

    private bool Bool(YamlNode n, string field) => Str(n, field) switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        var s => throw Bad(n, field, $"true or false, not '{s}'"),
    };

    private int Small(YamlNode n, string field, int max)
    {
        var s = Str(n, field);
        return int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= max ? v
            : s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && int.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) && h >= 0 && h <= max ? h
            : throw Bad(n, field, $"a whole number from 0 to {max}, not '{s}'");
    }

    private T Enum<T>(YamlNode n, string field) where T : struct, System.Enum
    {
        var s = Str(n, field);
        return s.Length > 0 && !char.IsDigit(s[0]) && s[0] != '-' && System.Enum.TryParse<T>(s, true, out var v) && System.Enum.IsDefined(v) ? v
            : throw Bad(n, field, $"unknown {typeof(T).Name} '{s}' (known: {string.Join(", ", System.Enum.GetNames<T>())})");
    }

    /// <summary>A 64-bit value: a number (decimal or 0x hex), <c>L:label</c> or <c>L:label+N</c> (the
    /// label's address), <c>V:sync</c>, <c>V:irq</c>, <c>V:serror</c> (the guest's vectors), <c>RAM</c>, <c>MMIO</c>, <c>BASE</c>.</summary>
    private ulong Value(YamlNode n, string field)
    {
        var s = Str(n, field).Trim();
        if (s.StartsWith("L:", StringComparison.Ordinal))
        {
            var body = s[2..];
            ulong offset = 0;
            int plus = body.IndexOf('+');
            if (plus >= 0)
            {
                if (!TryNumber(body[(plus + 1)..], out offset)) throw Bad(n, field, $"'{s}': the offset after + is a number");
                body = body[..plus];
            }
            return labels.TryGetValue(body, out var a) ? a + offset
                : throw Bad(n, field, $"unknown label '{body}' (labels: {(labels.Count == 0 ? "none" : string.Join(", ", labels.Keys))})");
        }
        switch (s)
        {
            case "V:sync": return GuestProgram.Vbar + VectorOffset.CurrentSpxSync;
            case "V:irq": return GuestProgram.Vbar + VectorOffset.CurrentSpxIrq;
            case "V:serror": return GuestProgram.Vbar + VectorOffset.CurrentSpxSError;
            case "RAM": return GuestProgram.RamAddr;
            case "MMIO": return GuestProgram.MmioAddr;
            case "BASE": return GuestProgram.Base;
        }
        return TryNumber(s, out var v) ? v : throw Bad(n, field, $"'{s}' is not a number (decimal or 0x hex), L:label[+N], V:sync|irq|serror, RAM, MMIO or BASE");
    }

    private static bool TryNumber(string s, out ulong v) =>
        s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v)
            : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
}
