using System.Text.Json.Nodes;
using Kvmspec.Spec.Arm64;

namespace Kvmspec.Spec.Trace;

/// <summary>Writes trace events as version-1 JSON objects (one per JSON Lines line): the trace's
/// I/O boundary, where bit encodings appear.</summary>
public static class TraceJson
{
    public const int Version = 1;

    public static JsonObject Event(TraceEvent e)
    {
        var o = new JsonObject { ["v"] = Version, ["kind"] = e.Verb };
        switch (e)
        {
            case SetGuestDebug g: o["control"] = (uint)g.Control; o["flags"] = SetGuestDebug.Format(g.Control); if (g.HwBreakpoint is { } hb) o["dbg_bvr0"] = hb; break;
            case Run r: o["immediate_exit"] = r.ImmediateExit; break;
            case X86SetGuestDebug x:
                o["control"] = (uint)x.Control; o["flags"] = X86SetGuestDebug.Format(x.Control);
                if (x.Control.HasFlag(Kvm.X86GuestDebug.KVM_GUESTDBG_USE_HW_BP)) { o["dr0"] = x.Dr0; o["dr1"] = x.Dr1; o["dr2"] = x.Dr2; o["dr3"] = x.Dr3; o["dr7"] = x.Dr7; }
                if (x.Error is { } xe) o["error"] = xe.ToString();
                break;
            case GetRegs g:
                o["rip"] = g.Rip; o["rflags"] = g.Rflags; o["rbx"] = g.Rbx;
                if (g.Rcx != 0) o["rcx"] = g.Rcx;
                if (g.Rdi != 0) o["rdi"] = g.Rdi;
                break;
            case SetRegs s:
                o["rip"] = s.Rip; o["rflags"] = s.Rflags; o["rbx"] = s.Rbx;
                if (s.Rcx is { } src) o["rcx"] = src;
                if (s.Rdi is { } sdi) o["rdi"] = sdi;
                break;
            case SetSyncRegs w: o["kvm_valid_regs"] = (uint)w.ValidRegs; o["kvm_dirty_regs"] = (uint)w.DirtyRegs; o["s_regs"] = SyncRegs(w.Regs); break;
            case StoreRegs st: o["stored"] = (uint)st.Stored; o["kvm_dirty_regs"] = (uint)st.DirtyRegs; o["s_regs"] = SyncRegs(st.Regs); break;
            case CompleteIo io: o["data"] = io.Data; break;
            case X86ExceptionTaken x: o["vector"] = x.Vector; o["rip"] = x.Rip; o["rflags"] = x.Rflags; o["handler"] = x.Handler; break;
            case CompleteMmio m: o["data"] = m.Data; break;
            case SetVcpuEvents s: o["ext_dabt_pending"] = s.ExtDabtPending; o["serror_pending"] = s.SErrorPending; if (s.Error is { } se) o["error"] = se.ToString(); break;
            case GetOneReg g: o["reg"] = g.Reg.ToString().ToLowerInvariant(); o["value"] = g.Value; break;
            case SetOneReg s: o["reg"] = s.Reg.ToString().ToLowerInvariant(); o["value"] = s.Value; if (s.Error is { } sre) o["error"] = sre.ToString(); break;
            case EnableCap c: o["cap"] = (uint)c.Cap; o["name"] = c.Cap.ToString(); if (c.Error is { } ce) o["error"] = ce.ToString(); break;
            case InterruptPending i: o["target"] = i.Target.ToString().ToLowerInvariant(); break;
            case Exit x:
                o["reason"] = x.Reason.ToString();
                o["exit_reason"] = (uint)x.Reason;
                if (x.Pc is { } pc) o["pc"] = pc;
                switch (x.Payload)
                {
                    case DebugPayload d: o["hsr"] = d.Arch.hsr; o["hsr_high"] = d.Arch.hsr_high; o["far"] = d.Arch.far; o["flags"] = d.Flags; break;
                    case MmioPayload m: o["phys_addr"] = m.PhysAddr; o["len"] = m.Len; o["is_write"] = m.IsWrite; o["data"] = m.Data; break;
                    case NisvPayload n: o["esr_iss"] = n.EsrIss; o["fault_ipa"] = n.FaultIpa; break;
                    case X86DebugPayload d: o["exception"] = d.Exception; o["debug_pc"] = d.Pc; o["dr6"] = d.Dr6; o["dr7"] = d.Dr7; break;
                    case IoPayload io: o["port"] = io.Port; o["size"] = io.Size; o["direction"] = io.Out ? "out" : "in"; o["count"] = io.Count; o["data"] = io.Data; break;
                }
                break;
            case RunFailed f: o["errno"] = f.Errno.ToString(); if (f.Pc is { } fpc) o["pc"] = fpc; break;
            case Retired r:
                o["pc"] = r.Pc; o["next_pc"] = r.NextPc; o["by"] = r.By.ToString().ToLowerInvariant(); o["insn"] = r.Insn;
                if (r.Completion) o["completion"] = true;
                if (r.Data is { } d2) o["data"] = d2;
                break;
            case ExceptionTaken x:
                o["vector"] = x.Vector; o["elr"] = x.Elr; o["spsr"] = x.Spsr.Encode();
                if (x.Esr is { } esr) o["esr"] = esr.Encode();
                break;
            case GuestRegRead g: o["reg"] = g.Reg.ToString(); o["value"] = g.Value; break;
            case GuestRegWrite g: o["reg"] = g.Reg.ToString(); o["value"] = g.Value; break;
            case GetRegList l: o["regs"] = new JsonArray(l.Regs.Select(r => (JsonNode)r.ToString().ToLowerInvariant()).ToArray()); break;
            case Entered en: o["pc"] = en.Pc; break;
            case Migrate m: o["source"] = m.Source; o["destination"] = m.Destination; break;
            case StepRecord s:
                o["pc"] = s.Pc; o["next_pc"] = s.NextPc; o["len"] = s.Len; o["insn"] = s.Insn;
                if (s.Exception is { } sx) o["exception"] = sx.SavedStep is { } saved ? new JsonObject { ["vector"] = sx.Vector, ["saved_step"] = saved } : new JsonObject { ["vector"] = sx.Vector };
                if (s.Flags is { } fl) o["flags"] = fl;
                break;
            case Note n: o["lane"] = n.At.ToString().ToLowerInvariant(); o["text"] = n.Text; break;
        }
        return o;
    }

    /// <summary>kvm_run->s.regs (x86) as the model has it: regs, sregs and events, kernel field names.</summary>
    public static JsonObject SyncRegs(Kvm.kvm_sync_regs r) => new()
    {
        ["regs"] = new JsonObject { ["rip"] = r.rip, ["rflags"] = r.rflags, ["rbx"] = r.rbx },
        ["sregs"] = new JsonObject { ["apic_base"] = r.apic_base, ["cr4_pae"] = r.CR4_PAE },
        ["events"] = new JsonObject { ["exception"] = new JsonObject { ["nr"] = r.exception.nr, ["injected"] = r.exception.injected, ["pending"] = r.exception.pending } },
    };

    public static JsonObject Header(Trace t) => Header(t.Header);

    public static JsonObject Header(TraceHeader t)
    {
        var o = new JsonObject
        {
            ["v"] = Version,
            ["kind"] = "header",
            ["arch"] = t.Arch,
            ["profile"] = t.Profile,
            ["producer"] = t.Producer,
            ["initial_pc"] = t.InitialPc,
            ["initial_pstate"] = t.InitialPstate,
        };
        if (t.InitialPstate is null) o.Remove("initial_pstate");
        if (t.GuestSelfDebug is { } g) o["guest_self_debug"] = g;
        if (t.Program is { } program)
            o["program"] = new JsonArray(program.Body.Select(i => (JsonNode)Of(i)).ToArray());
        return o;
    }

    /// <summary>One instruction of the header's program: fields that do not apply to the kind are left out.</summary>
    public static JsonObject Of(Instruction i)
    {
        var o = new JsonObject { ["kind"] = i.Kind.ToString(), ["mnemonic"] = i.Mnemonic };
        if (i.Kind == InstructionKind.Branch) o["target"] = i.Target;
        if (i.Kind is InstructionKind.MsrImm or InstructionKind.MrsReg) o["reg"] = i.Reg.ToString();
        if (i.Kind == InstructionKind.MsrImm || i.Value != 0) o["value"] = i.Value;
        if (i.Stage2Fault) o["stage2_fault"] = true;
        return o;
    }
}
