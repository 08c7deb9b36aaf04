import { createResource, createSignal, Show } from 'solid-js'
import { api } from '../lib/api.ts'
import { route } from '../lib/router.ts'
import { Logo } from '../components/shell/Logo.tsx'

/** Setup (first owner), sign-in, or accepting an invite, depending on the server and the URL. */
export function SignIn(props: { onSignedIn: () => void }) {
  const [hasOwner] = createResource(async () => !(await api.setupNeeded()))
  return (
    <main class="auth-page">
      <h1 class="auth-brand">
        <Logo /> Loupe
      </h1>
      <Show
        when={route()[0] === 'link' && route()[1]}
        fallback={
          <Show
            when={route()[0] === 'invite' && route()[1]}
            fallback={
              <Show when={!hasOwner.loading}>
                <Show when={hasOwner()} fallback={<Setup onDone={props.onSignedIn} />}>
                  <Login onDone={props.onSignedIn} />
                </Show>
              </Show>
            }
          >
            {(code) => <Invite code={code()} signedIn={false} onDone={props.onSignedIn} />}
          </Show>
        }
      >
        {(token) => <LinkJoin token={token()} onDone={props.onSignedIn} />}
      </Show>
    </main>
  )
}

function Form(props: {
  title: string
  submit: string
  fields: string[]
  /** Fields that may stay empty. */
  optional?: string[]
  onSubmit: (values: Record<string, string>) => Promise<void>
}) {
  const [error, setError] = createSignal('')
  const [busy, setBusy] = createSignal(false)
  return (
    <form
      class="card auth-card"
      onSubmit={async (event) => {
        event.preventDefault()
        const data = Object.fromEntries(new FormData(event.currentTarget).entries()) as Record<
          string,
          string
        >
        setBusy(true)
        setError('')
        try {
          await props.onSubmit(data)
        } catch (e) {
          setError(e instanceof Error ? e.message : String(e))
        } finally {
          setBusy(false)
        }
      }}
    >
      <h2 class="card-heading">{props.title}</h2>
      {props.fields.map((field) => (
        <label class="field">
          <span class="field-label">{field}</span>
          <input
            class="input"
            name={field}
            type={/password/i.test(field) ? 'password' : 'text'}
            required={!props.optional?.includes(field)}
            autocomplete={field === 'Password' ? 'current-password' : 'off'}
          />
        </label>
      ))}
      <Show when={error()}>
        <p role="alert" class="error">
          {error()}
        </p>
      </Show>
      <button type="submit" class="button primary" disabled={busy()}>
        {props.submit}
      </button>
    </form>
  )
}

function Setup(props: { onDone: () => void }) {
  return (
    <Form
      title="Set up this server"
      submit="Create owner"
      fields={['Setup code', 'Name', 'Password']}
      onSubmit={async (v) => {
        await api.setup(v['Setup code'] ?? '', v.Name ?? '', v.Password ?? '')
        props.onDone()
      }}
    />
  )
}

function Login(props: { onDone: () => void }) {
  return (
    <Form
      title="Sign in"
      submit="Sign in"
      fields={['Name', 'Password']}
      onSubmit={async (v) => {
        await api.login(v.Name ?? '', v.Password ?? '')
        props.onDone()
      }}
    />
  )
}

export function Invite(props: { code: string; signedIn: boolean; onDone: () => void }) {
  return (
    <Show
      when={!props.signedIn}
      fallback={
        <div class="card auth-card">
          <h2 class="card-heading">Join a workspace</h2>
          <button
            type="button"
            class="button primary"
            onClick={() => void api.acceptInvite(props.code).then(props.onDone)}
          >
            Accept invite
          </button>
        </div>
      }
    >
      <Form
        title="Join with an invite"
        submit="Create account"
        fields={['Name', 'Password']}
        onSubmit={async (v) => {
          await api.acceptInvite(props.code, { name: v.Name ?? '', password: v.Password ?? '' })
          location.hash = '#/'
          props.onDone()
        }}
      />
    </Show>
  )
}

/**
 * Opening a board's share link: a name (and the link's password, if it has one) makes a
 * guest who reaches that one board.
 */
export function LinkJoin(props: { token: string; onDone: () => void }) {
  return (
    <Form
      title="Join a shared board"
      submit="Open the board"
      fields={['Name', 'Link password (if it has one)']}
      optional={['Link password (if it has one)']}
      onSubmit={async (v) => {
        const password = v['Link password (if it has one)'] ?? ''
        const { boardId } = await api.joinShareLink(props.token, {
          name: v.Name ?? '',
          ...(password ? { password } : {}),
        })
        location.hash = `#/b/${boardId}`
        props.onDone()
      }}
    />
  )
}
