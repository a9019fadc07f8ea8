namespace Kvmspec.Model.X86;

/// <summary>X86GuestDebug's control states: what the VMM's last KVM_SET_GUEST_DEBUG asked for.</summary>
public enum X86DebugState
{
    /// <summary>No host debugging (control 0, or without ENABLE).</summary>
    Off,
    /// <summary>Host debugging without single-step (breakpoints: USE_SW_BP, USE_HW_BP).</summary>
    Breakpoints,
    /// <summary>KVM_GUESTDBG_SINGLESTEP: TF (or MTF) armed at singlestep_rip.</summary>
    Stepping,
}

/// <summary>X86GuestDebug's triggers.</summary>
public enum X86DebugTrigger
{
    KVM_SET_GUEST_DEBUG,
    /// <summary>kvm_vcpu_do_singlestep(): a step after an instruction KVM completed.</summary>
    do_singlestep,
    /// <summary>A #DB VM exit (the CPU's trap or fault; intercepted through the exception bitmap).</summary>
    db_intercept,
}
