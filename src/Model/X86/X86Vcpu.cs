using System.Collections.Immutable;
using Kvmspec.Model.Machines;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Model.X86;

/// <summary>A frame the guest's stack holds for an IRETQ: the return RIP and the RFLAGS image.</summary>
public readonly record struct X86Frame(ulong Rip, ulong Rflags);

/// <summary>The composed x86 vCPU: the control states of RunProtocol (shared with arm64),
/// X86GuestDebug and X86Emulation, the guest's architectural state, and KVM's per-vCPU fields
/// (kernel names).</summary>
/// <remarks><see cref="Rflags"/> is the value in the VMCS (GUEST_RFLAGS): the guest's RFLAGS with
/// the host's TF when KVM put it there; KVM_GET_REGS and the emulator read it through
/// kvm_get_rflags(). SIMPLIFICATION: one vCPU in 64-bit mode at CPL 0, one external interrupt
/// vector, VMX (the exception bitmap always intercepts #DB).</remarks>
public sealed record X86Vcpu
{
    public RunState Run { get; init; } = RunState.InVmm;
    public X86DebugState Debug { get; init; } = X86DebugState.Off;
    public X86TrapState Trap { get; init; } = X86TrapState.Idle;

    // Guest architectural state.
    public ulong Rip { get; init; } = X86Program.Base;
    public ulong Rflags { get; init; } = Spec.X86.Rflags.Reset;
    public ulong Rax { get; init; }
    public ulong Rbx { get; init; }
    public ulong Rcx { get; init; }
    public ulong R11 { get; init; }
    public ImmutableStack<X86Frame> Frames { get; init; } = ImmutableStack<X86Frame>.Empty;
    public Shadow Shadow { get; init; }
    /// <summary>A single-step trap MOV SS deferred to the next instruction boundary but one.</summary>
    public bool DeferredStep { get; init; }
    /// <summary>A single-step trap pending at the current instruction boundary (after an instruction
    /// that began with TF=1, or after delivering an event with TF=1).</summary>
    public bool StepTrapPending { get; init; }
    /// <summary>An MTF VM exit pending at the current instruction boundary (the MTF proposal).</summary>
    public bool MtfPending { get; init; }
    /// <summary>The data breakpoint slot that matched the last store (a trap at this boundary).</summary>
    public int? DataBpPending { get; init; }
    public bool Halted { get; init; }

    // KVM's per-vCPU state.
    public X86GuestDebug guest_debug { get; init; }
    public ulong singlestep_rip { get; init; }
    /// <summary>vcpu->arch.eff_db[0..3] and guest_debug_dr7 from KVM_SET_GUEST_DEBUG (USE_HW_BP).</summary>
    public X86SetGuestDebug? HostDr { get; init; }
    /// <summary>An exception KVM will inject at the next entry (INJECT_DB/BP, a guest #DB): vector and DR6 payload.</summary>
    public (byte Vector, ulong Payload)? QueuedException { get; init; }
    public X86ExitCause? Cause { get; init; }
    /// <summary>The access waiting for vcpu->arch.complete_userspace_io.</summary>
    public X86ExitCause? Access { get; init; }
    public ulong io_data { get; init; }
    /// <summary>kvm_run->debug.arch as last written: KVM writes only some fields per exit.</summary>
    public X86DebugPayload RunDebug { get; init; } = new(0, 0, 0, 0);
    public PendingReturn? Return { get; init; }

    // Environment.
    public bool IrqPending { get; init; }
    public bool HostIrqPending { get; init; }
    public bool SignalPending { get; init; }

    public string? Unhandled { get; init; }

    public bool TfSet => Spec.X86.Rflags.Tf(Rflags);
}
