import {useInput} from 'ink'
import {useCallback} from 'react'
import type {ExplainAction} from '../state/explain-state.js'

/** Forwards key presses to the reducer, which resolves them through the keymap (see the `key` action). */
export function useKeymap(dispatch: (action: ExplainAction) => void): void {
  const onInput = useCallback(
    (input: string, key: Parameters<Parameters<typeof useInput>[0]>[1]) => dispatch({type: 'key', input, key}),
    [dispatch],
  )
  useInput(onInput)
}
