using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Trace;

/// <summary>The x86 records of a version-1 trace: what <see cref="TraceJson"/> writes for the x86
/// model, read back with the same checks as the arm64 records.</summary>
/// <remarks>
/// An x86 trace (header <c>arch: x86</c>, full profile only) shares <c>run</c>, <c>complete_mmio</c>,
/// <c>irq_pending</c>, <c>signal</c>, <c>run_failed</c>, <c>entered</c>, <c>retired</c>, <c>note</c> and
/// <c>end</c> with arm64. <c>set_guest_debug</c>, <c>exception</c> and <c>exit</c> have x86 fields
/// (struct kvm_guest_debug_arch debugreg[], the IDT frame, struct kvm_debug_exit_arch and
/// kvm_run.io); <c>get_regs</c>, <c>set_regs</c> (with the optional RCX and RDI), <c>complete_io</c>
/// and the KVM_CAP_SYNC_REGS records are x86 only: <c>set_sync_regs</c>, a store to the kvm_run page
/// that may come in a run or outside one, and <c>store_regs</c>, which comes right after an
/// <c>exit</c> or <c>run_failed</c> (notes between), at most once per return. The arm64
/// ioctls (ONE_REG, KVM_SET_VCPU_EVENTS' external abort, KVM_ENABLE_CAP of the ARM caps, the VMM's NISV
/// emulation, migration) and the guest's system-register accesses are rejected: the x86 model and
/// its invariants have no meaning for them.
/// </remarks>
public sealed partial class TraceReader
{
    /// <summary>The fields each event kind of an x86 trace may have (v and kind included); the kinds
    /// shared with arm64 have the same fields (written out: static initialisers of a partial class
    /// run in no defined order across its files).</summary>
    public static readonly IReadOnlyDictionary<string, HashSet<string>> X86EventFields = new Dictionary<string, HashSet<string>>
    {
        ["set_guest_debug"] = ["v", "kind", "control", "flags", "dr0", "dr1", "dr2", "dr3", "dr7", "error"],
        ["run"] = ["v", "kind", "immediate_exit"],
        ["get_regs"] = ["v", "kind", "rip", "rflags", "rbx", "rcx", "rdi"],
        ["set_regs"] = ["v", "kind", "rip", "rflags", "rbx", "rcx", "rdi"],
        ["set_sync_regs"] = ["v", "kind", "kvm_valid_regs", "kvm_dirty_regs", "s_regs"],
        ["store_regs"] = ["v", "kind", "stored", "kvm_dirty_regs", "s_regs"],
        ["complete_io"] = ["v", "kind", "data"],
        ["complete_mmio"] = ["v", "kind", "data"],
        ["irq_pending"] = ["v", "kind", "target"],
        ["signal"] = ["v", "kind"],
        ["exit"] = ["v", "kind", "reason", "exit_reason", "pc", "exception", "debug_pc", "dr6", "dr7", "phys_addr", "len", "is_write", "data", "port", "size", "direction", "count"],
        ["run_failed"] = ["v", "kind", "errno", "pc"],
        ["entered"] = ["v", "kind", "pc"],
        ["retired"] = ["v", "kind", "pc", "next_pc", "by", "insn", "completion", "data"],
        ["exception"] = ["v", "kind", "vector", "rip", "rflags", "handler"],
        ["note"] = ["v", "kind", "lane", "text"],
        ["end"] = ["v", "kind", "events"],
    };

    private TraceEvent? ReadX86Event(Fields f, string kind)
    {
        TraceEvent? e = kind switch
        {
            "set_guest_debug" => Vmm(ReadX86SetGuestDebug(f)),
            "run" => StartRun(new Run(f.OptBool("immediate_exit") ?? false)),
            "get_regs" => Vmm(new GetRegs(f.U64("rip"), f.U64("rflags"), f.U64("rbx"), f.OptU64("rcx") ?? 0, f.OptU64("rdi") ?? 0)),
            "set_regs" => Vmm(new SetRegs(f.U64("rip"), f.U64("rflags"), f.U64("rbx"), f.OptU64("rcx"), f.OptU64("rdi"))),
            // A store to the kvm_run page, not an ioctl: another VMM thread may make it while KVM_RUN is in flight.
            "set_sync_regs" => new SetSyncRegs((KvmSyncRegs)f.U32("kvm_valid_regs"), (KvmSyncRegs)f.U32("kvm_dirty_regs"), SyncRegs(f)),
            "store_regs" => ReadStoreRegs(f),
            "complete_io" => Vmm(new CompleteIo(f.U64("data"))),
            "complete_mmio" => Vmm(new CompleteMmio(f.U64("data"))),
            "irq_pending" => new InterruptPending(f.Enum<IrqTarget>("target")),
            "signal" => new SignalPending(),
            "exit" => EndRun(ReadX86Exit(f)),
            "run_failed" => EndRun(new RunFailed(f.Enum<Errno>("errno"), f.OptU64("pc"))),
            "entered" => Guest(new Entered(f.U64("pc"))),
            "retired" => ReadRetired(f),
            // Every x86 delivery the model knows happens at a VM entry (INJECT_DB/BP are queued for it).
            "exception" => Guest(new X86ExceptionTaken(Vector(f), f.U64("rip"), f.U64("rflags"), f.U64("handler"))),
            "note" => new Note(f.Enum<Lane>("lane"), f.String("text")),
            "end" => End(f),
            _ when EventFields.ContainsKey(kind) => throw Bad("kind", $"'{kind}' is an arm64 event, not one of an x86 trace (x86 events: {string.Join(", ", X86EventFields.Keys)})"),
            _ => throw Bad("kind", $"unknown event kind '{kind}' (see docs/trace-format.md)"),
        };
        f.NoOthers(X86EventFields[kind]);
        // store_regs() runs at kvm_arch_vcpu_ioctl_run()'s out: label, so its record follows the return at once.
        if (e is not Note) afterReturn = e is Exit or RunFailed;
        return e;
    }

    /// <summary>Whether the last event other than a note was an <c>exit</c> or <c>run_failed</c> with no <c>store_regs</c> after it yet.</summary>
    private bool afterReturn;

    private StoreRegs ReadStoreRegs(Fields f)
    {
        if (!afterReturn)
            throw Bad("kind", "store_regs not right after an exit or run_failed (store_regs() runs as KVM_RUN returns; only notes may stand between)");
        uint stored = f.U32("stored");
        if ((stored & ~(uint)KvmSyncRegs.KVM_SYNC_X86_VALID_FIELDS) != 0)
            throw Bad("stored", $"0x{stored:X} has bits store_regs() does not copy (0x{stored & ~(uint)KvmSyncRegs.KVM_SYNC_X86_VALID_FIELDS:X}; it copies REGS 0x1, SREGS 0x2, EVENTS 0x4)");
        return new StoreRegs((KvmSyncRegs)stored, (KvmSyncRegs)f.U32("kvm_dirty_regs"), SyncRegs(f));
    }

    /// <summary><c>s_regs</c>: kvm_run->s.regs as the model has it, every part and field required.</summary>
    private kvm_sync_regs SyncRegs(Fields f)
    {
        var area = f.Object("s_regs");
        var regs = area.Object("regs");
        var sregs = area.Object("sregs");
        var events = area.Object("events");
        var exception = events.Object("exception");
        ulong nr = exception.U64("nr");
        if (nr > byte.MaxValue) throw Bad("s_regs.events.exception.nr", $"an exception vector is 0 to 255, not {nr}");
        var r = new kvm_sync_regs(regs.U64("rip"), regs.U64("rflags"), regs.U64("rbx"), sregs.U64("apic_base"), sregs.Bool("cr4_pae"),
            new kvm_vcpu_events_exception((byte)nr, exception.Bool("injected"), exception.Bool("pending")));
        regs.NoOthers(SyncRegsRegsFields);
        sregs.NoOthers(SyncRegsSregsFields);
        exception.NoOthers(SyncRegsExceptionFields);
        events.NoOthers(SyncRegsEventsFields);
        area.NoOthers(SyncRegsFields);
        return r;
    }

    /// <summary>The fields of <c>s_regs</c> and of its parts (struct kvm_sync_regs as the model has it).</summary>
    public static readonly HashSet<string> SyncRegsFields = ["regs", "sregs", "events"];

    /// <summary>The fields of <c>s_regs.regs</c> (struct kvm_regs, the registers the model uses).</summary>
    public static readonly HashSet<string> SyncRegsRegsFields = ["rip", "rflags", "rbx"];

    /// <summary>The fields of <c>s_regs.sregs</c> (struct kvm_sregs: apic_base and CR4.PAE).</summary>
    public static readonly HashSet<string> SyncRegsSregsFields = ["apic_base", "cr4_pae"];

    /// <summary>The fields of <c>s_regs.events</c> (struct kvm_vcpu_events: the exception).</summary>
    public static readonly HashSet<string> SyncRegsEventsFields = ["exception"];

    /// <summary>The fields of <c>s_regs.events.exception</c>.</summary>
    public static readonly HashSet<string> SyncRegsExceptionFields = ["nr", "injected", "pending"];

    private static readonly X86GuestDebug AllX86DebugBits = Enum.GetValues<X86GuestDebug>().Aggregate(X86GuestDebug.None, (a, b) => a | b);

    private static readonly string[] DebugRegs = ["dr0", "dr1", "dr2", "dr3", "dr7"];

    private X86SetGuestDebug ReadX86SetGuestDebug(Fields f)
    {
        var control = f.OptU32("control") is { } c ? (X86GuestDebug)c : (X86GuestDebug?)null;
        if (control is { } cv && ((uint)cv & ~(uint)AllX86DebugBits) != 0)
            throw Bad("control", $"0x{(uint)cv:X} has bits KVM_SET_GUEST_DEBUG does not define on x86 (0x{(uint)cv & ~(uint)AllX86DebugBits:X})");
        var flags = f.Has("flags") ? ParseDebugFlags<X86GuestDebug>(f, "ENABLE, SINGLESTEP, USE_SW_BP, USE_HW_BP, INJECT_DB, INJECT_BP, BLOCKIRQ") : (X86GuestDebug?)null;
        if (control is null && flags is null) throw Bad("control", "missing (give control, flags, or both)");
        if (control is { } a && flags is { } b && a != b) throw Bad("flags", $"'{X86SetGuestDebug.Format(b)}' disagrees with control 0x{(uint)a:X}");
        var word = control ?? flags!.Value;
        var error = f.OptEnum<Errno>("error");
        // kvm_arch_vcpu_ioctl_set_guest_debug() reads debugreg[] only with KVM_GUESTDBG_USE_HW_BP.
        if (!word.HasFlag(X86GuestDebug.KVM_GUESTDBG_USE_HW_BP))
        {
            foreach (var r in DebugRegs)
                if (f.Has(r)) throw Bad(r, "debugreg[] is given only with USE_HW_BP (KVM reads it only then)");
            return new X86SetGuestDebug(word, Error: error);
        }
        return new X86SetGuestDebug(word, f.U64("dr7"), f.OptU64("dr0") ?? 0, f.OptU64("dr1") ?? 0, f.OptU64("dr2") ?? 0, f.OptU64("dr3") ?? 0, error);
    }

    private byte Vector(Fields f)
    {
        ulong v = f.U64("vector");
        return v <= byte.MaxValue ? (byte)v : throw Bad("vector", $"an IDT vector is 0 to 255, not {v}");
    }

    private Exit ReadX86Exit(Fields f)
    {
        var reason = ExitReason(f);
        if (reason == KvmExitReason.KVM_EXIT_ARM_NISV) throw Bad("reason", $"{reason} is not an x86 exit");
        var own = X86PayloadFields.GetValueOrDefault(reason, []);
        foreach (var field in PayloadFields.Values.SelectMany(x => x))
            if (!X86EventFields["exit"].Contains(field) && f.Has(field))
                throw Bad(field, $"an arm64 exit field; an x86 {reason} exit has {(own.Length == 0 ? "no payload" : string.Join(", ", own))}");
        foreach (var field in X86PayloadFields.Values.SelectMany(x => x))
            if (!own.Contains(field) && f.Has(field)) throw Bad(field, $"not a field of a {reason} exit");
        ExitPayload? payload = reason switch
        {
            KvmExitReason.KVM_EXIT_DEBUG => new X86DebugPayload(DebugException(f), f.U64("debug_pc"), f.U64("dr6"), f.U64("dr7")),
            KvmExitReason.KVM_EXIT_IO => ReadIo(f),
            KvmExitReason.KVM_EXIT_MMIO => new MmioPayload(f.U64("phys_addr"), MmioLen(f), f.Bool("is_write"), f.OptU64("data") ?? 0),
            _ => null,
        };
        return new Exit(reason, f.OptU64("pc"), payload);
    }

    /// <summary>The exit payload fields of each x86 exit reason (struct kvm_run's union members).</summary>
    private static readonly Dictionary<KvmExitReason, string[]> X86PayloadFields = new()
    {
        [KvmExitReason.KVM_EXIT_DEBUG] = ["exception", "debug_pc", "dr6", "dr7"],
        [KvmExitReason.KVM_EXIT_IO] = ["port", "size", "direction", "count", "data"],
        [KvmExitReason.KVM_EXIT_MMIO] = ["phys_addr", "len", "is_write", "data"],
    };

    /// <summary>kvm_run.debug.arch.exception: vmx.c handle_exception_nmi() and svm.c exit to userspace only for #DB and #BP.</summary>
    private uint DebugException(Fields f)
    {
        uint v = f.U32("exception");
        return v is X86Program.DbVector or X86Program.BpVector ? v : throw Bad("exception", $"KVM_EXIT_DEBUG on x86 reports #DB (1) or #BP (3), not {v}");
    }

    /// <summary>kvm_run.io: port is a __u16, size 1, 2 or 4 bytes, direction KVM_EXIT_IO_IN/OUT; the OUT's data.</summary>
    private IoPayload ReadIo(Fields f)
    {
        ulong port = f.U64("port");
        if (port > ushort.MaxValue) throw Bad("port", $"an I/O port is 16 bits, not 0x{port:X}");
        ulong size = f.U64("size");
        if (size is not (1 or 2 or 4)) throw Bad("size", $"a port access is 1, 2 or 4 bytes, not {size}");
        var direction = f.String("direction");
        bool isOut = direction switch
        {
            "out" => true,
            "in" => false,
            _ => throw Bad("direction", $"\"in\" or \"out\", not \"{direction}\""),
        };
        ulong data = isOut ? f.U64("data") : f.OptU64("data") ?? 0;
        return new IoPayload((ushort)port, (int)size, isOut, f.U32("count"), data);
    }
}
