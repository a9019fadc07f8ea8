namespace Kvmspec.Model.Machines;

/// <summary>RunProtocol's control states: where the vCPU thread is in the KVM_RUN protocol.</summary>
public enum RunState
{
    /// <summary>Userspace holds the vCPU: between ioctls.</summary>
    InVmm,
    /// <summary>Inside KVM_RUN, in the host kernel, about to enter the guest (the run loop's top).</summary>
    EnteringGuest,
    /// <summary>The CPU executes guest code.</summary>
    InGuest,
    /// <summary>The guest trapped to EL2; KVM's exit handler runs.</summary>
    HandlingExit,
}
