# A user's module with a type error: the agent's timeout is a string such as "120s".
{ ... }:
{
  services.drover-agent.timeout = 120;
}
