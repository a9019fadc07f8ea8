using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>The guest's own debug state as the trace shows the guest and userspace setting it: the
/// reference the debug invariants judge against. It follows the architecture from the guest's side
/// (MDSCR_EL1, PSTATE.D and SS, SPSR_EL1, the OS Lock, breakpoints, watchpoints, CONTEXTIDR_EL1),
/// and the host's KVM_SET_GUEST_DEBUG, never the model's internals.</summary>
/// <remarks>
/// Rules (Arm ARM pseudocode, as Spec implements it): an exception entry saves the guest's own
/// PSTATE into SPSR_EL1, then PSTATE.SS := 0 and D := 1; the guest's handler may change SPSR_EL1.D
/// and SS (guest_reg_write); ERET restores D and takes SS from DebugExceptionReturnSS() with the
/// guest's own MDSCR_EL1 and gate; a retired instruction runs SSAdvance(). While the host
/// single-steps, KVM preserves the guest's PSTATE.SS (34fbdee086cf, 2ca3f03bf524), so the guest's
/// own SS is frozen; while the host debugs otherwise with the guest's MDSCR_EL1.SS set, KVM
/// withholds the guest's step and its SS becomes unknown until the next exception entry or
/// userspace write. The OS Lock is what the guest last wrote to OSLAR_EL1 or userspace to
/// OSLSR_EL1, or, before either, what a read of OSLSR_EL1 first showed; unknown until then (KVM's
/// reset value differs from the architecture's) and then taken as unlocked, KVM's reset value.
/// </remarks>
public sealed class GuestView
{
    public MDSCR_EL1 Mdscr { get; private set; }
    public bool D { get; private set; }
    /// <summary>The guest's own PSTATE.SS; null while unknown.</summary>
    public bool? SS { get; private set; }
    public PSTATE Spsr { get; private set; }
    /// <summary>OSLSR_EL1.OSLK as the guest or userspace last set it; null while unknown.</summary>
    public bool? Oslk { get; private set; }
    /// <summary>OSLK as the guest's last OSLAR_EL1 write or userspace's last OSLSR_EL1 write set it; null before either.</summary>
    public bool? OslkWritten { get; private set; }
    public ulong ContextIdr { get; private set; }
    public DebugRegisters Dbg { get; private set; } = DebugRegisters.Reset;
    /// <summary>The host's current KVM_SET_GUEST_DEBUG (None after a migration: the debugger stays with the source).</summary>
    public SetGuestDebug Host { get; private set; } = new(KvmGuestDebug.None);
    /// <summary>Whether any migration has happened so far.</summary>
    public int Migrations { get; private set; }

    private PSTATE hwSpsr;

    public GuestView(TraceHeader t)
    {
        var p = t.InitialPstate is { } v ? PSTATE.Decode(v) : null;
        D = p?.D ?? true;
        SS = p?.SS ?? false;
    }

    public bool HostDebugging => Host.Control != KvmGuestDebug.None;

    /// <summary>Whether <paramref name="pc"/> is the host's KVM_GUESTDBG_USE_HW breakpoint.</summary>
    public bool IsHostBreakpoint(ulong? pc) => Host.Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_USE_HW) && Host.HwBreakpoint == pc;
    public bool HostStepping => Host.SingleStep;

    /// <summary>Whether the guest's own debug exceptions are enabled at EL1 (its own gate: OS Lock
    /// clear, KDE set, PSTATE.D clear; the guest's debug target is its EL1).</summary>
    public bool OwnDebugEnabled(bool d) => Oslk != true && Mdscr.KDE && !d;

    /// <summary>The guest's own step state; null while its PSTATE.SS is unknown.</summary>
    public StepState? OwnStep => !(Mdscr.SS && OwnDebugEnabled(D)) ? StepState.Inactive
        : SS is { } ss ? (ss ? StepState.ActiveNotPending : StepState.ActivePending) : null;

    /// <summary>Whether the guest's own breakpoint matches at <paramref name="pc"/> with its debug enabled.</summary>
    public bool OwnBreakpointDue(ulong pc) =>
        BreakpointUnit.BreakpointDue(Mdscr, OwnDebugEnabled(D), Dbg.Bp, pc, ContextIdr, ExceptionLevel.EL1);

    /// <summary>Folds one event into the view (call after judging the event).</summary>
    public void Apply(TraceEvent e)
    {
        switch (e)
        {
            case SetGuestDebug g:
                Host = g;
                break;
            case Migrate:
                // A new vCPU: its lock is what the restore writes (or its reset value, read back);
                // whether that preserved the guest's is MIGRATE-PRESERVES's question.
                Host = new SetGuestDebug(KvmGuestDebug.None);
                Migrations++;
                Oslk = OslkWritten = null;
                break;
            case GetOneReg { Reg: OneReg.OSLSR_EL1 } g when Oslk is null:
                Oslk = OSLSR_EL1.Decode(g.Value).OSLK;
                break;
            case GuestRegRead { Reg: SysReg.OSLSR_EL1 } r when Oslk is null:
                Oslk = OSLSR_EL1.Decode(r.Value).OSLK;
                break;
            case SetOneReg { Error: null } w:
                switch (w.Reg)
                {
                    case OneReg.PSTATE when PSTATE.Decode(w.Value) is { } ps: SS = ps.SS; D = ps.D; break;
                    case OneReg.SPSR_EL1 when PSTATE.Decode(w.Value) is { } sp: Spsr = sp; hwSpsr = sp; break;
                    case OneReg.OSLSR_EL1: Oslk = OslkWritten = OSLSR_EL1.Decode(w.Value).OSLK; break;
                    default: if (w.Reg.AsSysReg() is { } sr) Write(sr, w.Value); break;
                }
                break;
            case GuestRegWrite w:
                Write(w.Reg, w.Value);
                break;
            case ExceptionTaken x:
                hwSpsr = x.Spsr;
                // The frame as the hardware saved it: a host step bit in it is NO-LEAK:frame's
                // finding, and from here on it is what the guest's ERET will use.
                Spsr = x.Spsr;
                D = true;
                if (!HostStepping) SS = false;
                break;
            case Retired { Mnemonic: "eret" or "eretaa" or "eretab" }:
                bool atSource = OwnDebugEnabled(D), atDest = OwnDebugEnabled(Spsr.D);
                D = Spsr.D;
                if (!HostStepping)
                    SS = SoftwareStep.DebugExceptionReturnSS(Spsr.SS, Mdscr, atSource, atDest);
                break;
            case Retired r when r.NextPc == r.Pc && r.Completion:
                // Rt written but the PC kept (an aborted access KVM half-retired): not a completed
                // instruction from the guest's side; PC-ONCE judges it.
                break;
            case Retired:
                if (HostStepping) break;
                if (HostDebugging && Mdscr.SS) { SS = null; break; }
                if (SS is { } s) SS = SoftwareStep.SSAdvance(Mdscr, new PSTATE(s, D, false, false, ExceptionLevel.EL1)).SS;
                break;
        }
    }

    private void Write(SysReg reg, ulong v)
    {
        switch (reg)
        {
            case SysReg.MDSCR_EL1: Mdscr = MDSCR_EL1.Decode(v); break;
            case SysReg.DAIF: D = (v >> PSTATE.D_BIT & 1) != 0; break;
            case SysReg.OSLAR_EL1: Oslk = OslkWritten = (v & 1) != 0; break;
            case SysReg.CONTEXTIDR_EL1: ContextIdr = v; break;
            case SysReg.SPSR_EL1 when PSTATE.Decode(v) is { } sp:
                // The guest's intent: the bits its handler changed from what the hardware saved.
                Spsr = Spsr with { D = sp.D, SS = sp.SS != hwSpsr.SS ? sp.SS : Spsr.SS };
                hwSpsr = sp;
                break;
            default: Dbg = Dbg.With(reg, v); break;
        }
    }
}
