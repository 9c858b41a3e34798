/**
 * The answer pipeline (LangGraph, LangChain) is loaded on the first question, not at activation: evaluating it
 * is most of the bundle's start-up cost, and activation must stay fast for every window that never asks.
 */
export const loadCore = () => import('../core/ask.js');
