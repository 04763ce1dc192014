import Foundation
import KimiSwarmCore

extension RunContext {
    /// One journaled model call: replayed when the journal has `step` (with the cost it had);
    /// otherwise reserved in the budget, streamed (token deltas become events) through the
    /// engine's meter, written to the journal, settled.
    func callModel(step: String, request: ChatRequest, agentID: String, reservation held: BudgetLedger.Reservation? = nil)
        async throws -> MeteredResponse
    {
        if let entry = replayed(step) {
            if let held { ledger.release(held) }
            do {
                let response = try JSONDecoder().decode(ChatResponse.self, from: Data(entry.payload.utf8))
                return MeteredResponse(response: response, costUSD: entry.costUSD)
            } catch {
                throw AgentFailure(message: "journal step \(step) cannot be read: \(error)")
            }
        }
        let promptBound = CallPricing.promptTokenBound(request)
        let maxOutput = request.maxTokens ?? spec.limits.maxOutputTokensPerCall
        let maximum = engine.pricing.maximumCost(of: request, promptTokens: promptBound, maxOutputTokens: maxOutput)
        let reservation: BudgetLedger.Reservation
        do {
            if let held {
                // The share set aside at the start is swapped for the real maximum.
                ledger.release(held)
                reservation = try await ledger.reserveCall(costUSD: maximum, tokens: promptBound + maxOutput, force: true)
            } else {
                try checkCanStartWork()
                reservation = try await ledger.reserveCall(costUSD: maximum, tokens: promptBound + maxOutput)
            }
        } catch {
            throw AgentFailure(message: error.message, limit: error)
        }
        let metered: MeteredResponse
        do {
            metered = try await engine.meter.meter(ModelCallSite(runID: runID, stepID: step, agentID: agentID), pricing: engine.pricing) {
                try await self.stream(request, agentID: agentID)
            }
        } catch {
            // A call that failed is not billed; its reservation goes back.
            ledger.release(reservation)
            throw error
        }
        let response = metered.response
        let cost = metered.costUSD
        let payload = String(decoding: try JSONEncoder().encode(response), as: UTF8.self)
        defer {
            ledger.settle(reservation, usage: response.usage, costUSD: cost)
            emitCost()
        }
        do {
            _ = try await record(step: step, kind: .llm, payload: payload, usage: response.usage, costUSD: cost)
        } catch {
            throw AgentFailure(message: "the journal refused step \(step): \(error)")
        }
        return metered
    }

    private func stream(_ request: ChatRequest, agentID: String) async throws -> ChatResponse {
        guard engine.streaming else { return try await engine.model.chat(request) }
        var final: ChatResponse?
        for try await event in engine.model.chatStream(request) {
            switch event {
            case .contentDelta(let text): emit(.tokenDelta(agent: agentID, text: text))
            case .finished(let response): final = response
            default: break
            }
        }
        guard let final else {
            throw AgentFailure(message: "the model's stream ended without a final response")
        }
        return final
    }
}
